import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { gatherGpuFacts, type GpuFacts } from '../../lib/gpu/facts.js';
import { NoUsableGpuError, recommend, type Recommendation } from '../../lib/gpu/recommend.js';
import { profileNames } from '../../sim/host/profile.js';
import { simHost } from '../sim-host/sim-host.js';

const versions = { mlnode: '3.0.12' };
const MLNODE = 'ghcr.io/product-science/mlnode:3.0.12';
const QWEN235 = 'Qwen/Qwen3-235B-A22B-Instruct-2507-FP8';

type Expected = Pick<
  Recommendation,
  'model' | 'tensor_parallel' | 'gpu_memory_utilization' | 'max_model_len' | 'kv_cache_dtype' | 'attention_backend' | 'image'
> & {
  gpu_ids: number[][];
  nvlink: boolean;
  max_concurrent: number;
  warning?: RegExp;
};

const h100Like: Expected = {
  model: QWEN235,
  tensor_parallel: 4,
  gpu_ids: [
    [0, 1, 2, 3],
    [4, 5, 6, 7],
  ],
  gpu_memory_utilization: 0.9,
  max_model_len: 240_000,
  kv_cache_dtype: 'auto',
  attention_backend: 'FLASHINFER',
  image: MLNODE,
  nvlink: true,
  max_concurrent: 400,
};

const EXPECTED: Record<string, Expected | RegExp> = {
  'h100-8x': h100Like,
  'h100-8x-580': h100Like,
  'h200-8x': h100Like,
  'a100-80-8x': h100Like,
  'a100-40-8x': { ...h100Like, tensor_parallel: 8, gpu_ids: [[0, 1, 2, 3, 4, 5, 6, 7]], kv_cache_dtype: 'fp8', max_concurrent: 800 },
  'rtx4090-4x': {
    model: 'Qwen/QwQ-32B',
    tensor_parallel: 4,
    gpu_ids: [[0, 1, 2, 3]],
    gpu_memory_utilization: 0.9,
    max_model_len: 24_576,
    kv_cache_dtype: 'auto',
    attention_backend: 'FLASHINFER',
    image: MLNODE,
    nvlink: false,
    max_concurrent: 400,
    warning: /over PCIe/,
  },
  'rtx3090-1x': {
    model: 'Qwen/Qwen3-32B-FP8',
    tensor_parallel: 1,
    gpu_ids: [[0]],
    gpu_memory_utilization: 0.94,
    max_model_len: 8_192,
    kv_cache_dtype: 'auto',
    attention_backend: 'FLASHINFER',
    image: MLNODE,
    nvlink: false,
    max_concurrent: 100,
  },
  'b200-2x': {
    model: QWEN235,
    tensor_parallel: 2,
    gpu_ids: [[0, 1]],
    gpu_memory_utilization: 0.88,
    max_model_len: 240_000,
    kv_cache_dtype: 'auto',
    attention_backend: 'FLASH_ATTN',
    image: `${MLNODE}-blackwell`,
    nvlink: true,
    max_concurrent: 200,
  },
  'b200-4x': {
    model: QWEN235,
    tensor_parallel: 4,
    gpu_ids: [[0, 1, 2, 3]],
    gpu_memory_utilization: 0.88,
    max_model_len: 240_000,
    kv_cache_dtype: 'auto',
    attention_backend: 'FLASHINFER',
    image: `${MLNODE}-blackwell`,
    nvlink: true,
    max_concurrent: 400,
  },
  'b300-8x': { ...h100Like, image: `${MLNODE}-blackwell`, warning: /sm_103/ },
  'l40s-6x': {
    model: 'Qwen/QwQ-32B',
    tensor_parallel: 2,
    gpu_ids: [
      [0, 1],
      [2, 3],
      [4, 5],
    ],
    gpu_memory_utilization: 0.92,
    max_model_len: 32_768,
    kv_cache_dtype: 'auto',
    attention_backend: 'FLASHINFER',
    image: MLNODE,
    nvlink: false,
    max_concurrent: 200,
  },
  'mixed-h100-a100': {
    model: 'Qwen/QwQ-32B',
    tensor_parallel: 1,
    gpu_ids: [[0], [1], [2], [3]],
    gpu_memory_utilization: 0.92,
    max_model_len: 32_768,
    kv_cache_dtype: 'auto',
    attention_backend: 'FLASHINFER',
    image: MLNODE,
    nvlink: false,
    max_concurrent: 100,
    warning: /mixed GPU architectures/,
  },
  'no-gpu': /not installed: no NVIDIA driver/,
  'fresh-2204': /not installed: no NVIDIA driver/,
  'secure-boot': /not installed: no NVIDIA driver/,
  'driver-mismatch': /version-mismatch.*Driver\/library version mismatch/s,
  'fabric-manager-mismatch': h100Like,
  'unattended-upgrades': h100Like,
  'low-disk': { ...h100Like, warning: /only 120 GB free for HF_HOME/ },
};

const facts = new Map<string, GpuFacts>();
const cleanups: (() => Promise<void>)[] = [];

// every profile's host built and read in parallel
beforeAll(async () => {
  await Promise.all(
    (await profileNames()).map(async (name) => {
      const { host, cleanup } = await simHost(name);
      cleanups.push(cleanup);
      facts.set(name, await gatherGpuFacts(host.transport()));
    }),
  );
});

afterAll(async () => {
  await Promise.all(cleanups.map((c) => c()));
});

describe('recommend() for every simulated hardware profile (mainnet)', () => {
  test('the table covers every profile', async () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(await profileNames());
  });

  test.each(Object.entries(EXPECTED))('%s', (name, expected) => {
    const f = facts.get(name)!;
    if (expected instanceof RegExp) {
      expect(() => recommend(f, { network: 'mainnet', versions })).toThrow(NoUsableGpuError);
      expect(() => recommend(f, { network: 'mainnet', versions })).toThrow(expected);
      return;
    }
    const r = recommend(f, { network: 'mainnet', versions });
    const { warning, ...want } = expected;
    expect({
      model: r.model,
      tensor_parallel: r.tensor_parallel,
      gpu_ids: r.instances.map((i) => i.gpu_ids),
      gpu_memory_utilization: r.gpu_memory_utilization,
      max_model_len: r.max_model_len,
      kv_cache_dtype: r.kv_cache_dtype,
      attention_backend: r.attention_backend,
      image: r.image,
      nvlink: r.nvlink,
      max_concurrent: r.max_concurrent,
    }).toEqual(want);
    expect(r.instances.every((i) => i.tensor_parallel === r.tensor_parallel && i.gpu_ids.length === r.tensor_parallel)).toBe(true);
    expect(r.gpu_memory_utilization).toBeGreaterThanOrEqual(0.88);
    expect(r.gpu_memory_utilization).toBeLessThanOrEqual(0.94);
    expect(r.gpus).toHaveLength(f.gpus.length);
    if (warning) expect(r.warnings.join('\n')).toMatch(warning);
    else expect(r.warnings.filter((w) => !/over PCIe/.test(w))).toEqual([]);
  });

  test('testnet serves the small model below 320 GB and the large one above', () => {
    const small = recommend(facts.get('rtx4090-4x')!, { network: 'testnet', versions });
    expect(small).toMatchObject({ model: 'Qwen/Qwen3-4B-Instruct-2507', tensor_parallel: 1, max_model_len: 25_000, gpu_memory_utilization: 0.88 });
    expect(small.instances.map((i) => i.gpu_ids)).toEqual([[0], [1], [2], [3]]);
    expect(recommend(facts.get('h100-8x')!, { network: 'testnet', versions }).model).toBe(QWEN235);
  });

  test('gpus carry the architecture of their compute capability', () => {
    const r = recommend(facts.get('mixed-h100-a100')!, { network: 'mainnet', versions });
    expect(r.gpus.map((g) => [g.name, g.compute_cap, g.arch])).toEqual([
      ['NVIDIA H100 PCIe', '9.0', 'sm_90'],
      ['NVIDIA H100 PCIe', '9.0', 'sm_90'],
      ['NVIDIA A100 80GB PCIe', '8.0', 'sm_80'],
      ['NVIDIA A100 80GB PCIe', '8.0', 'sm_80'],
    ]);
  });
});
