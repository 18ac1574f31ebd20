import { z } from 'zod';
import { architectureOf, computeCapFromName, type GpuArchitecture } from './architecture.js';
import type { GpuFacts } from './facts.js';
import { mlnodeImage } from './image.js';

export const MODELS = {
  qwen235b: 'Qwen/Qwen3-235B-A22B-Instruct-2507-FP8',
  qwq32b: 'Qwen/QwQ-32B',
  qwen32bFp8: 'Qwen/Qwen3-32B-FP8',
  qwen4b: 'Qwen/Qwen3-4B-Instruct-2507',
} as const;

const TensorParallelSchema = z.union([z.literal(1), z.literal(2), z.literal(4), z.literal(8)]);

/** What an operator may force; every field wins over the computed value. */
export const RecommendOverrideSchema = z
  .object({
    image: z.string().min(1),
    model: z.string().min(1),
    tensor_parallel: TensorParallelSchema,
    max_model_len: z.number().int().positive(),
    gpu_memory_utilization: z.number().gt(0).lte(1),
    kv_cache_dtype: z.enum(['auto', 'fp8']),
    attention_backend: z.enum(['FLASHINFER', 'FLASH_ATTN']),
    max_concurrent: z.number().int().positive(),
  })
  .partial();

export const RecommendOptionsSchema = z.object({
  network: z.enum(['mainnet', 'testnet']),
  override: RecommendOverrideSchema.default({}),
  /** release versions (from the versions data file); only `mlnode` is read here */
  versions: z.looseObject({ mlnode: z.string().min(1) }),
});

export type RecommendOverride = z.output<typeof RecommendOverrideSchema>;
export type RecommendOptions = z.input<typeof RecommendOptionsSchema>;

export interface RecommendedGpu {
  index: number;
  name: string;
  memory_mib: number;
  compute_cap: string;
  /** `sm_90` */
  arch: string;
}

export interface MlInstance {
  /** node-config id */
  id: string;
  gpu_ids: number[];
  tensor_parallel: number;
}

export interface Recommendation {
  gpus: RecommendedGpu[];
  nvlink: boolean;
  model: string;
  tensor_parallel: number;
  instances: MlInstance[];
  gpu_memory_utilization: number;
  max_model_len: number;
  kv_cache_dtype: 'auto' | 'fp8';
  attention_backend: 'FLASHINFER' | 'FLASH_ATTN';
  image: string;
  /** node-config `max_concurrent` of each ML node: about 100 per GPU */
  max_concurrent: number;
  warnings: string[];
}

/** No GPU can be used: nothing to size. */
export class NoUsableGpuError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoUsableGpuError';
  }
}

// ~240 GB of FP8 weights; the long context needs about 100 GB of KV cache on top.
const WEIGHTS_235B_GB = 240;
const LONG_CONTEXT_HEADROOM_GB = 100;
const LONG_CONTEXT = 240_000;
const SHORT_CONTEXT_235B = 16_384;
const MAINNET_HF_FREE_BYTES = 250e9;
const UTIL_RANGE = [0.88, 0.94] as const;

interface Gpu extends RecommendedGpu {
  architecture: GpuArchitecture;
}

/** Sizing of one architecture group: everything but the GPU ids. */
interface Sizing {
  rank: number;
  model: string;
  tensor_parallel: number;
  gpu_memory_utilization: number;
  max_model_len: number;
  kv_cache_dtype: 'auto' | 'fp8';
}

// nvidia-smi reports a little less than the marketing size (81559 MiB on an "80GB" H100): rounding MiB to GiB gets the
// nominal size back, which is what the sizing table's thresholds are written in.
const nominalGb = (mib: number): number => Math.round(mib / 1024);

const largestPowerOfTwo = (n: number): number => (n >= 8 ? 8 : n >= 4 ? 4 : n >= 2 ? 2 : 1);

const smallestPowerOfTwo = (perGpu: number, needed: number, max: number): number => {
  for (const s of [1, 2, 4, 8]) if (s <= max && s * perGpu >= needed) return s;
  return max;
};

const size235b = (count: number, perGpu: number): Sizing => {
  const fp8 = perGpu <= 40 ? 'fp8' : 'auto';
  if (count >= 8) {
    const tp = Math.max(4, smallestPowerOfTwo(perGpu, 320, 8));
    return { rank: 4, model: MODELS.qwen235b, tensor_parallel: tp, gpu_memory_utilization: 0.9, max_model_len: LONG_CONTEXT, kv_cache_dtype: fp8 };
  }
  const tp = largestPowerOfTwo(count);
  const long = tp * perGpu - WEIGHTS_235B_GB >= LONG_CONTEXT_HEADROOM_GB;
  return {
    rank: 4,
    model: MODELS.qwen235b,
    tensor_parallel: tp,
    gpu_memory_utilization: 0.88,
    max_model_len: long ? LONG_CONTEXT : SHORT_CONTEXT_235B,
    kv_cache_dtype: fp8,
  };
};

/** The sizing table of gpu-and-models.md for `count` GPUs of `perGpu` nominal GB each. */
const sizeGroup = (count: number, perGpu: number, network: 'mainnet' | 'testnet'): Sizing => {
  const largest = largestPowerOfTwo(count) * perGpu;
  if (largest >= 320) return size235b(count, perGpu);
  if (network === 'testnet') {
    return { rank: 0, model: MODELS.qwen4b, tensor_parallel: 1, gpu_memory_utilization: 0.88, max_model_len: 25_000, kv_cache_dtype: 'auto' };
  }
  if (largest >= 80) {
    const small = perGpu < 30;
    return {
      rank: 3,
      model: MODELS.qwq32b,
      tensor_parallel: smallestPowerOfTwo(perGpu, 80, 8),
      gpu_memory_utilization: small ? 0.9 : 0.92,
      max_model_len: small ? 24_576 : 32_768,
      kv_cache_dtype: 'auto',
    };
  }
  if (largest >= 40) {
    return {
      rank: 2,
      model: MODELS.qwen32bFp8,
      tensor_parallel: smallestPowerOfTwo(perGpu, 40, 8),
      gpu_memory_utilization: 0.92,
      max_model_len: 24_576,
      kv_cache_dtype: 'auto',
    };
  }
  return { rank: 1, model: MODELS.qwen32bFp8, tensor_parallel: 1, gpu_memory_utilization: 0.94, max_model_len: 8_192, kv_cache_dtype: 'auto' };
};

const sameSizing = (a: Sizing, b: Sizing): boolean =>
  a.model === b.model && a.gpu_memory_utilization === b.gpu_memory_utilization && a.max_model_len === b.max_model_len && a.kv_cache_dtype === b.kv_cache_dtype;

const describeGpu = (facts: GpuFacts, warnings: string[]): Gpu[] =>
  facts.gpus.map((g) => {
    const cap = g.compute_cap ?? computeCapFromName(g.name);
    const architecture = cap ? architectureOf(cap) : undefined;
    if (!cap || !architecture) throw new NoUsableGpuError(`unknown GPU architecture for ${g.name} (compute_cap ${g.compute_cap ?? 'not reported'})`);
    if (g.compute_cap === null)
      warnings.push(`driver too old to report compute_cap: architecture of GPU ${g.index} (${g.name}) taken from its name (${architecture.sm})`);
    return { index: g.index, name: g.name, memory_mib: g.memory_mib, compute_cap: cap, arch: architecture.sm, architecture };
  });

const groupByArchitecture = (gpus: Gpu[]): Gpu[][] => {
  const groups = new Map<string, Gpu[]>();
  for (const g of gpus) groups.set(g.arch, [...(groups.get(g.arch) ?? []), g]);
  return [...groups.values()];
};

const minNominal = (group: Gpu[]): number => Math.min(...group.map((g) => nominalGb(g.memory_mib)));

const split = (group: Gpu[], tp: number): number[][] =>
  Array.from({ length: Math.floor(group.length / tp) }, (_, i) => group.slice(i * tp, (i + 1) * tp).map((g) => g.index));

const noGpuMessage = (facts: GpuFacts): string => {
  const { state, message } = facts.nvidia_smi;
  if (state === 'ok') return 'nvidia-smi lists no GPU';
  if (state === 'missing') return 'nvidia-smi is not installed: no NVIDIA driver';
  return `nvidia-smi failed (${state}): ${message}`;
};

const pickGroups = (groups: Gpu[][], network: 'mainnet' | 'testnet', warnings: string[]) => {
  const sized = groups.map((group) => ({ group, sizing: sizeGroup(group.length, minNominal(group), network) }));
  const best = sized.reduce((a, b) => (b.sizing.rank > a.sizing.rank || (b.sizing.rank === a.sizing.rank && b.group.length > a.group.length) ? b : a));
  const used = sized.filter((s) => s === best || sameSizing(s.sizing, best.sizing));
  for (const s of sized.filter((x) => !used.includes(x))) {
    warnings.push(
      `GPUs ${s.group.map((g) => g.index).join(',')} (${s.group[0].arch}) stay idle: architectures are never mixed in one instance and they cannot serve ${best.sizing.model} with the same settings`,
    );
  }
  if (groups.length > 1 && used.length > 1) warnings.push('mixed GPU architectures: each ML instance uses GPUs of one architecture only');
  return { best: best.sizing, used };
};

/**
 * Size the ML node for a host's GPUs following gpu-and-models.md: model tier from the smallest GPU's memory,
 * power-of-two tensor parallelism, one architecture per instance, utilization within 0.88–0.94. Override wins.
 */
export const recommend = (facts: GpuFacts, options: RecommendOptions): Recommendation => {
  const opts = RecommendOptionsSchema.parse(options);
  const warnings: string[] = [];
  if (facts.gpus.length === 0) throw new NoUsableGpuError(noGpuMessage(facts));
  const gpus = describeGpu(facts, warnings);
  const { best, used } = pickGroups(groupByArchitecture(gpus), opts.network, warnings);
  const o = opts.override;
  const tp = o.tensor_parallel ?? best.tensor_parallel;
  const gpuIds = used.flatMap((u) => {
    if (u.group.length < tp) throw new NoUsableGpuError(`tensor_parallel ${tp} needs ${tp} GPUs of one architecture; ${u.group[0].arch} has ${u.group.length}`);
    const parts = split(u.group, tp);
    const spare = u.group.slice(parts.length * tp).map((g) => g.index);
    if (spare.length) warnings.push(`GPUs ${spare.join(',')} stay spare: tensor parallelism must be a power of two (never ${u.group.length})`);
    return parts;
  });
  const instances = gpuIds.map((ids, i) => ({ id: `node${i + 1}`, gpu_ids: ids, tensor_parallel: tp }));
  const usedGpus = gpus.filter((g) => gpuIds.flat().includes(g.index));
  const blackwell = usedGpus.some((g) => g.architecture.blackwell);
  const maxModelLen = o.max_model_len ?? best.max_model_len;
  const util = o.gpu_memory_utilization ?? best.gpu_memory_utilization;
  const nvlink = facts.topology?.nvlink_mesh ?? false;

  if (util < UTIL_RANGE[0] || util > UTIL_RANGE[1])
    warnings.push(`gpu_memory_utilization ${util} is outside 0.88–0.94: expect OOM under load or wasted KV cache`);
  if (!o.image && usedGpus.some((g) => g.arch === 'sm_103'))
    warnings.push(
      'sm_103 (Blackwell Ultra) boards have needed a custom ML node image built on CUDA 13: set override.image if the -blackwell tag fails to start',
    );
  if (tp > 1 && !nvlink) warnings.push(`tensor parallelism ${tp} over PCIe (no NVLink mesh): slower than NVLink`);
  const free = facts.disks.hf_home?.available_bytes;
  if (opts.network === 'mainnet' && free !== undefined && free < MAINNET_HF_FREE_BYTES) {
    warnings.push(`only ${Math.floor(free / 1e9)} GB free for HF_HOME (${facts.disks.hf_home?.path}): mainnet weights need at least 250 GB`);
  }

  return {
    gpus: gpus.map(({ architecture: _a, ...g }) => g),
    nvlink,
    model: o.model ?? best.model,
    tensor_parallel: tp,
    instances,
    gpu_memory_utilization: util,
    max_model_len: maxModelLen,
    kv_cache_dtype: o.kv_cache_dtype ?? best.kv_cache_dtype,
    attention_backend: o.attention_backend ?? (maxModelLen >= LONG_CONTEXT && tp <= 2 ? 'FLASH_ATTN' : 'FLASHINFER'),
    image: o.image ?? mlnodeImage(opts.versions.mlnode, blackwell),
    max_concurrent: o.max_concurrent ?? Math.max(100, 100 * tp),
    warnings,
  };
};
