import { posix } from 'node:path';
import { z } from 'zod';
import { RecommendationSchema } from '../../lib/gonka/recommendation-schema.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import type { DeployVars } from './vars.js';

/** The Hugging Face cache directory of a model: HF_HOME/hub/models--ORG--NAME. */
export const modelCacheDir = (hfHome: string, model: string): string => posix.join(hfHome, 'hub', `models--${model.replaceAll('/', '--')}`);

// one round trip: the revision refs/main points to, each entry of its snapshot (symlinks into blobs/ that
// must resolve), partial blobs, and the safetensors index naming every shard
const INSPECT = `d=$1
[ -f "$d/refs/main" ] || exit 3
rev=$(cat "$d/refs/main"); echo "rev $rev"
for f in "$d/snapshots/$rev"/*; do
  [ -L "$f" ] || [ -e "$f" ] || continue
  if [ -e "$f" ]; then echo "file \${f##*/}"; else echo "dangling \${f##*/}"; fi
done
for f in "$d"/blobs/*.incomplete; do [ -e "$f" ] && echo "partial \${f##*/}"; done
echo "index"; cat "$d/snapshots/$rev/model.safetensors.index.json" 2>/dev/null; true`;

const IndexSchema = z.object({ weight_map: z.record(z.string(), z.string()) });

/** What is wrong with the cached weights; an empty list when they are complete. */
export const weightProblems = async (ctx: ModuleContext, dir: string): Promise<string[]> => {
  const res = await ctx.exec(`sh -c ${shellJoin([INSPECT])} sh ${shellJoin([dir])}`);
  if (res.code === 3) return ['not downloaded'];
  const [head, index = ''] = res.stdout.split('\nindex\n');
  const lines = head.split('\n').map((l) => l.split(' '));
  const files = new Set(lines.filter(([k]) => k === 'file').map(([, f]) => f));
  const problems = [
    ...lines.filter(([k]) => k === 'dangling').map(([, f]) => `${f} points to a missing blob`),
    ...lines.filter(([k]) => k === 'partial').map(([, f]) => `partial download ${f}`),
  ];
  if (!files.has('config.json')) problems.push('config.json is missing');
  const parsed = IndexSchema.safeParse(
    (() => {
      try {
        return JSON.parse(index);
      } catch {
        return undefined;
      }
    })(),
  );
  const shards = parsed.success ? [...new Set(Object.values(parsed.data.weight_map))] : [...files].filter((f) => /\.(safetensors|bin)$/.test(f));
  if (shards.length === 0) problems.push('no weight files');
  problems.push(...shards.filter((s) => !files.has(s)).map((s) => `${s} is missing`));
  return problems;
};

const DOWNLOAD = `cli=$(command -v hf || command -v huggingface-cli) || { echo "neither hf nor huggingface-cli is installed: pip install -U huggingface_hub" >&2; exit 127; }
exec "$cli" download "$1"`;

// progress of a download that runs in one command: the cache directory's size, read beside it
const reportSize = (ctx: ModuleContext, model: string, dir: string): (() => void) => {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void ctx
      .exec(`du -sb ${shellJoin([dir])} 2>/dev/null | cut -f1`)
      .then((r) => {
        const bytes = Number(r.stdout.trim());
        if (bytes > 0) ctx.progress(`downloading ${model}: ${(bytes / 1e9).toFixed(2)} GB in ${dir}`);
      })
      .finally(() => (busy = false));
  }, 2000);
  return () => clearInterval(timer);
};

/**
 * The model's weights in HF_HOME before the ML node starts (its container runs with HF_HUB_OFFLINE): skipped
 * when complete, else downloaded with hf / huggingface-cli, which resumes partial files.
 */
export const ensureModelWeights = async (ctx: ModuleContext, v: DeployVars): Promise<ModuleResult> => {
  const rec = RecommendationSchema.safeParse(v.gpu_recommendation);
  if (!rec.success) return { changed: false, failed: true, msg: 'gpu_recommendation is missing or invalid: run the gpu-detect role first' };
  const model = rec.data.model;
  const dir = modelCacheDir(v.gonka.hf_home, model);
  const before = await weightProblems(ctx, dir);
  if (before.length === 0) return { changed: false, msg: `${model} is complete in ${dir}` };
  if (ctx.check) return { changed: true, msg: `would download ${model} into ${dir} (${before.join('; ')})` };
  ctx.progress(`downloading ${model} into ${dir} (${before.join('; ')})`);
  const stop = reportSize(ctx, model, dir);
  // the token travels on stdin: over SSH, environment values would be part of the remote command line
  const withToken = v.hf_token ? 'IFS= read -r HF_TOKEN && export HF_TOKEN && ' : '';
  const res = await ctx
    .exec(`${withToken}sh -c ${shellJoin([DOWNLOAD])} sh ${shellJoin([model])}`, {
      env: { HF_HOME: v.gonka.hf_home },
      stdin: v.hf_token ? `${v.hf_token}\n` : undefined,
      timeoutMs: v.weights_timeout * 1000,
    })
    .finally(stop);
  if (res.code !== 0) {
    return {
      changed: true,
      failed: true,
      msg: `downloading ${model} failed (rc=${res.code}): ${res.stderr.trim().split('\n').slice(-3).join(' ')}; run the role again, the download resumes`,
    };
  }
  const after = await weightProblems(ctx, dir);
  if (after.length > 0) return { changed: true, failed: true, msg: `${model} in ${dir} is still incomplete after downloading: ${after.join('; ')}` };
  return { changed: true, msg: `downloaded ${model} into ${dir}` };
};
