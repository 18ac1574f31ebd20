import { posix } from 'node:path';
import { z } from 'zod';
import { RecommendationSchema } from '../../lib/gonka/recommendation-schema.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { formatTransfer } from '../../lib/progress/format.js';
import { hfDownloadProgress } from '../../lib/progress/hf-download.js';
import { slopeMeter } from '../../lib/progress/slope.js';
import { withoutProgressBars } from '../../lib/progress/tqdm-line.js';
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

// stderr goes to a log beside the cache directory, read while the download runs; only its tail is kept for errors
const DOWNLOAD = `cli=$(command -v hf || command -v huggingface-cli) || { echo "neither hf nor huggingface-cli is installed: pip install -U huggingface_hub" >&2; exit 127; }
mkdir -p "$(dirname "$2")" || exit 1
"$cli" download "$1" 2>"$2"; rc=$?
tail -c 4000 "$2" >&2; rm -f "$2"; exit $rc`;

// the log's bytes from an offset (non-ASCII bytes, tqdm's bar blocks, as '?' so the count stays exact), then the
// log's size and the cache directory's size
const READ_LOG = `size=$(( $(wc -c < "$1" 2>/dev/null || echo 0) )); off=$3; [ "$size" -lt "$off" ] && off=0
tail -c +$((off + 1)) "$1" 2>/dev/null | head -c $((size - off)) | LC_ALL=C tr -c '\\011\\012\\015\\040-\\176' '?'
printf '\\n%s %s\\n' "$size" "$(du -sb "$2" 2>/dev/null | cut -f1)"`;

// progress of a download that runs in one command: its progress bars (huggingface_hub draws them when
// TQDM_POSITION=-1), or the cache directory's size when the client draws none
const followDownload = (ctx: ModuleContext, model: string, dir: string, log: string): (() => void) => {
  const progress = hfDownloadProgress();
  const meter = slopeMeter();
  let offset = 0;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void ctx
      .exec(`sh -c ${shellJoin([READ_LOG])} sh ${shellJoin([log, dir, String(offset)])}`)
      .then((r) => {
        const tail = r.stdout.lastIndexOf('\n', r.stdout.length - 2);
        const [size, cached] = r.stdout
          .slice(tail + 1)
          .trim()
          .split(' ')
          .map(Number);
        progress.feed(r.stdout.slice(0, Math.max(0, tail)));
        offset = size || 0;
        const state = progress.state() ?? (cached > 0 ? { bytes: cached, totalFinal: false } : undefined);
        if (!state) return;
        meter.add(Date.now(), state.bytes);
        ctx.progress(`downloading ${model}: ${formatTransfer(state, meter.heading(state.total ?? Number.POSITIVE_INFINITY))}`);
      })
      .catch(() => undefined)
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
  const log = `${dir}.download.log`;
  const stop = followDownload(ctx, model, dir, log);
  // the token travels on stdin: over SSH, environment values would be part of the remote command line
  const withToken = v.hf_token ? 'IFS= read -r HF_TOKEN && export HF_TOKEN && ' : '';
  const res = await ctx
    .exec(`${withToken}sh -c ${shellJoin([DOWNLOAD])} sh ${shellJoin([model, log])}`, {
      env: { HF_HOME: v.gonka.hf_home, TQDM_POSITION: '-1' },
      stdin: v.hf_token ? `${v.hf_token}\n` : undefined,
      timeoutMs: v.weights_timeout * 1000,
    })
    .finally(stop);
  if (res.code !== 0) {
    return {
      changed: true,
      failed: true,
      msg: `downloading ${model} failed (rc=${res.code}): ${withoutProgressBars(res.stderr).slice(-3).join(' ')}; run the role again, the download resumes`,
    };
  }
  const after = await weightProblems(ctx, dir);
  if (after.length > 0) return { changed: true, failed: true, msg: `${model} in ${dir} is still incomplete after downloading: ${after.join('; ')}` };
  return { changed: true, msg: `downloaded ${model} into ${dir}` };
};
