import { z } from 'zod';
import { request } from '../../facts/fact.js';
import { intArg } from '../../modules/arg-types.js';
import { defineModule, type Change, type ModuleContext, type Plan } from '../../modules/module.js';
import { formatTransfer } from '../../progress/format.js';
import { hfDownloadProgress } from '../../progress/hf-download.js';
import { slopeMeter } from '../../progress/slope.js';
import { withoutProgressBars } from '../../progress/tqdm-line.js';
import { shellJoin } from '../../transport/shell-quote.js';
import { modelCacheDir, modelWeights } from '../model-weights.js';
import { wouldMsg } from './would-msg.js';

const hfModelArgs = z.strictObject({
  /** the Hugging Face repository, e.g. Qwen/Qwen3-32B-FP8 */
  model: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'an ORG/NAME Hugging Face repository'),
  /** HF_HOME: the weights go to HF_HOME/hub/models--ORG--NAME */
  hf_home: z.string().regex(/^\//, 'must be an absolute path'),
  /** a token for gated models: sent on stdin, never on a command line */
  hf_token: z.string().min(1).optional(),
  /** seconds the download may take */
  timeout: intArg.default(86400),
});
type Args = z.output<typeof hfModelArgs>;

const cacheDir = (a: Args) => modelCacheDir(a.hf_home, a.model);

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
 * A model's weights in the Hugging Face cache (HF_HOME), complete: left alone when every shard is there, else
 * downloaded with hf / huggingface-cli (which resumes partial files), then inspected again.
 */
export const hfModelModule = defineModule({
  name: 'hf_model',
  args: hfModelArgs,
  facts: (a) => [request(modelWeights, cacheDir(a))],
  plan: async (a, ctx): Promise<Plan<Change>> => {
    const dir = cacheDir(a);
    const problems = await ctx.facts.read(modelWeights, dir);
    if (problems.length === 0) return { changes: [], result: { msg: `${a.model} is complete in ${dir}` } };
    const changes = [{ summary: `download ${a.model} into ${dir} (${problems.join('; ')})`, invalidates: [{ fact: modelWeights, arg: dir }] }];
    return { changes, result: { msg: wouldMsg(changes) } };
  },
  apply: async ([change], a, ctx) => {
    const dir = cacheDir(a);
    ctx.progress(change.summary.replace(/^download/, 'downloading'));
    const log = `${dir}.download.log`;
    const stop = followDownload(ctx, a.model, dir, log);
    // the token travels on stdin: over SSH, environment values would be part of the remote command line
    const withToken = a.hf_token ? 'IFS= read -r HF_TOKEN && export HF_TOKEN && ' : '';
    const res = await ctx
      .exec(`${withToken}sh -c ${shellJoin([DOWNLOAD])} sh ${shellJoin([a.model, log])}`, {
        env: { HF_HOME: a.hf_home, TQDM_POSITION: '-1' },
        stdin: a.hf_token ? `${a.hf_token}\n` : undefined,
        timeoutMs: a.timeout * 1000,
      })
      .finally(stop);
    if (res.code !== 0) {
      return {
        failed: true,
        msg: `downloading ${a.model} failed (rc=${res.code}): ${withoutProgressBars(res.stderr).slice(-3).join(' ')}; run the role again, the download resumes`,
      };
    }
    ctx.facts.invalidate([{ fact: modelWeights, arg: dir }]);
    const after = await ctx.facts.read(modelWeights, dir);
    if (after.length > 0) return { failed: true, msg: `${a.model} in ${dir} is still incomplete after downloading: ${after.join('; ')}` };
    return { msg: `downloaded ${a.model} into ${dir}` };
  },
});
