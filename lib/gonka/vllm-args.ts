import type { RecommendationInput } from './recommendation-schema.js';

/**
 * vLLM flags of one ML node instance, as node-config.json lists them for its model: the catalog layout's own
 * arguments when gpu-detect chose from the catalog, else the legacy sizing's.
 */
export const vllmArgs = (rec: RecommendationInput, tensorParallel: number): string[] =>
  rec.vllm_args ?? [
    '--tensor-parallel-size',
    String(tensorParallel),
    '--gpu-memory-utilization',
    String(rec.gpu_memory_utilization),
    '--max-model-len',
    String(rec.max_model_len),
    ...(rec.kv_cache_dtype === 'fp8' ? ['--kv-cache-dtype', 'fp8'] : []),
  ];
