import { hasControlChar } from '../template/file-quoting.js';
import { z } from 'zod';

/**
 * The part of gpu-detect's `gpu_recommendation` (lib/gpu/recommend.ts `Recommendation`) that the Gonka
 * files are made from, validated again because it arrives as a host variable that an operator may set by hand.
 */
export const RecommendationSchema = z
  .looseObject({
    gpus: z.array(z.looseObject({ index: z.number().int().nonnegative(), name: z.string().min(1) })).min(1),
    model: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'expected ORG/MODEL'),
    instances: z
      .array(
        z.looseObject({
          id: z.string().regex(/^[A-Za-z0-9_-]+$/),
          gpu_ids: z.array(z.number().int().nonnegative()).min(1),
          tensor_parallel: z.union([z.literal(1), z.literal(2), z.literal(4), z.literal(8)]),
        }),
      )
      .min(1),
    gpu_memory_utilization: z.number().gt(0).lte(1),
    /** absent when `vllm_args` gives the layout's arguments */
    max_model_len: z.number().int().positive().optional(),
    kv_cache_dtype: z.enum(['auto', 'fp8']),
    attention_backend: z.enum(['FLASHINFER', 'FLASH_ATTN']),
    image: z.string().regex(/^[\w./-]+(:[\w.-]+)?(@sha256:[0-9a-f]{64})?$/, 'expected a Docker image reference'),
    max_concurrent: z.number().int().positive(),
    /** the catalog layout's vLLM arguments, exactly upstream's (gpu-detect's catalog choice): node-config lists these */
    vllm_args: z
      .array(z.string().refine((a) => !hasControlChar(a), 'a vLLM argument holds a control character'))
      .min(1)
      .optional(),
    /** the catalog layout's ML node environment (POC_BATCH_SIZE_DEFAULT, NCCL settings inside VMs, …) */
    env: z
      .record(
        z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'expected an environment variable name'),
        z.string().refine((a) => !hasControlChar(a), 'an ML node environment value holds a control character'),
      )
      .optional(),
  })
  .refine((r) => r.vllm_args !== undefined || r.max_model_len !== undefined, {
    message: 'max_model_len is required without vllm_args',
    path: ['max_model_len'],
  });

export type RecommendationInput = z.output<typeof RecommendationSchema>;
