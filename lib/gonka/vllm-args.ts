import type { RecommendationInput } from './recommendation-schema.js';

/** vLLM flags of one ML node instance, as node-config.json lists them for its model. */
export const vllmArgs = (rec: RecommendationInput, tensorParallel: number): string[] => [
  '--tensor-parallel-size',
  String(tensorParallel),
  '--gpu-memory-utilization',
  String(rec.gpu_memory_utilization),
  '--max-model-len',
  String(rec.max_model_len),
  ...(rec.kv_cache_dtype === 'fp8' ? ['--kv-cache-dtype', 'fp8'] : []),
];
