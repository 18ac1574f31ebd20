import { parse } from 'yaml';
import { z } from 'zod';

/** The PoC v2 request of the documented local test (reference gonka-operations.md §12, "PoC v2 by hand"). */
export const PocRequestSchema = z.object({
  block_hash: z.string(),
  block_height: z.number().int(),
  public_key: z.string(),
  node_id: z.number().int(),
  node_count: z.number().int(),
  batch_size: z.number().int().positive(),
  params: z.object({ model: z.string(), seq_len: z.number().int().positive(), k_dim: z.number().int().positive() }),
  url: z.string(),
});
export type PocRequest = z.output<typeof PocRequestSchema>;

/** What the test does on one host (the plan task publishes it as `poc_test_plan`). */
export const PocTestPlanSchema = z.object({
  /** the ML node's compose service and its management API (its nginx port) */
  service: z.string(),
  management_url: z.string(),
  inference_url: z.string(),
  model: z.string(),
  request: PocRequestSchema,
});
export type PocTestPlan = z.output<typeof PocTestPlanSchema>;

export interface EpochsLatest {
  block_height: number;
  phase: string;
  epoch_stages?: { next_poc_start?: number };
  is_confirmation_poc_active?: boolean;
}

export interface MlNodeState {
  state?: string;
  poc_status?: string;
  inference_healthy?: boolean;
  loaded_model?: string;
}

export interface PlanInput {
  /** `docker inspect`'s State.Status of the api container ('' when there is none) */
  api_status: string;
  epochs?: EpochsLatest;
  ml?: MlNodeState;
  /** the PoC model's seq_len on chain (poc_params.models[].seq_len), when the chain's params could be read */
  chain_seq_len?: number;
  margin_blocks: number;
  batch_size: number;
  seq_len?: number;
  callback_url: string;
}

export type PlanVerdict = { refuse: string } | { request: PocRequest; model: string };

/** The ML node compose services of docker-compose.mlnode.yml, in file order (ML node i is nginx port + i). */
export const mlnodeServices = (composeText: string): string[] =>
  Object.keys(((parse(composeText) ?? {}) as { services?: Record<string, unknown> }).services ?? {}).filter((s) => /^mlnode-\d+$/.test(s));

// a test must end well before PoC: the api must be back, and the ML node serving, when PoC starts
const windowProblem = (e: EpochsLatest | undefined, margin: number): string | undefined => {
  if (!e) return 'the public API did not answer /v1/epochs/latest: the safe window (reference §0) cannot be checked';
  if (e.phase !== 'Inference')
    return `block ${e.block_height}: phase ${e.phase}; a PoC test pauses the api and would cost this epoch's PoC weight (reference §0)`;
  if (e.is_confirmation_poc_active === true) return `block ${e.block_height}: a Confirmation PoC is active; pausing the api now loses it (reference §0)`;
  const toPoc = (e.epoch_stages?.next_poc_start ?? Number.POSITIVE_INFINITY) - e.block_height;
  if (toPoc < margin) return `block ${e.block_height}: the next PoC starts in ${toPoc} blocks (< poc_test_margin_blocks ${margin}); test after it`;
  return undefined;
};

/**
 * Whether the local PoC test may run now, and its request: the api running and not paused already, vLLM serving a
 * model (PoC v2 runs inside it), no PoC generation in progress, and the epoch's safe window.
 */
export const planPocTest = (i: PlanInput): PlanVerdict => {
  if (i.api_status === '') return { refuse: 'there is no api container: nothing to pause (is the network node deployed here?)' };
  if (i.api_status === 'paused') return { refuse: 'the api container is already paused (a backup or another test running?): unpause it first, then test' };
  if (i.api_status !== 'running') return { refuse: `the api container is ${i.api_status}, not running` };
  const ml = i.ml;
  if (!ml?.state) return { refuse: "the ML node's management API did not answer /api/v1/state" };
  if (ml.state !== 'INFERENCE' || !ml.inference_healthy || !ml.loaded_model)
    return {
      refuse: `the ML node is ${ml.state}${ml.state === 'INFERENCE' ? ' and still loading' : ''}: PoC v2 runs inside vLLM, which must be serving a model (reference §12)`,
    };
  if (ml.poc_status && ml.poc_status !== 'IDLE') return { refuse: `the ML node's PoC is ${ml.poc_status}: a PoC is in progress, test later` };
  const window = windowProblem(i.epochs, i.margin_blocks);
  if (window) return { refuse: window };
  const seqLen = i.seq_len ?? i.chain_seq_len;
  if (!seqLen) return { refuse: `the chain's poc_params did not give seq_len for ${ml.loaded_model}: set poc_test_seq_len` };
  return {
    model: ml.loaded_model,
    request: {
      block_hash: 'TEST',
      block_height: 1,
      public_key: 'TEST',
      node_id: 0,
      node_count: 1,
      batch_size: i.batch_size,
      params: { model: ml.loaded_model, seq_len: seqLen, k_dim: 12 },
      url: i.callback_url,
    },
  };
};

/** What the ML node's log lines of one test say (docs FAQ.md, "How to simulate Proof-of-Compute (PoC)?"). */
export interface LogReading {
  /** N of "Created N GPU groups", once seen */
  groups?: number;
  /** the GPU group lines and batch lines, as the operator should see them */
  evidence: string[];
  /** the groups that logged "Using batch size: B for GPU group [i]" */
  batches: number[];
  /** a line that makes the test fail */
  failure?: string;
}

const FAILURE = /out of memory|OutOfMemoryError|Engine may be wedged|CUDA error|Created 0 GPU groups|Traceback/i;

export const readPocLog = (lines: readonly string[]): LogReading => {
  const r: LogReading = { evidence: [], batches: [] };
  for (const raw of lines) {
    // compose prefixes a service's lines with its name unless --no-log-prefix
    const line = raw.replace(/^\S+\s+\|\s/, '');
    const created = /Created (\d+) GPU groups/.exec(line);
    if (created) r.groups = Number(created[1]);
    const batch = /Using batch size: \d+ for GPU group \[(\d+)\]/.exec(line);
    if (batch && !r.batches.includes(Number(batch[1]))) r.batches.push(Number(batch[1]));
    if (created || batch || /Group \d+: GpuGroup\(/.test(line)) r.evidence.push(line.trim());
    if (!r.failure && FAILURE.test(line)) r.failure = line.trim();
  }
  return r;
};

/** pass: every GPU group announced logged its batch size; fail: a failure line; undefined: still waiting. */
export const verdictOf = (r: LogReading): { passed: boolean; why: string } | undefined => {
  if (r.failure) return { passed: false, why: r.failure };
  if (r.groups === undefined || r.groups === 0) return undefined;
  const all = Array.from({ length: r.groups }, (_, i) => i).every((i) => r.batches.includes(i));
  return all ? { passed: true, why: `${r.groups} GPU group(s), each generating with its batch size` } : undefined;
};

/** The waiting line: what has been seen so far. */
export const progressOf = (r: LogReading): string =>
  r.groups === undefined ? 'PoC generation started, waiting for the GPU group lines' : `${r.groups} GPU group(s), batch lines from ${r.batches.length}`;
