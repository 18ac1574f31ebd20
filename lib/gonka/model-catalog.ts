import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { dataDir } from './network.js';

/**
 * nop's model catalog (data/model-catalog.yml): per PoC model and GPU class, upstream's ML node layout, the images
 * that run the model and the driver they need, and measured PoC rates. Which models are live and what they earn
 * (coefficients) is the chain's, read at run time: the catalog only says how to serve a model and how fast.
 */

const cuda = z.string().regex(/^\d+\.\d+$/, 'expected a CUDA version such as 13.0');
const modelId = z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'expected ORG/MODEL');
const commit = z.string().regex(/^[0-9a-f]{40}$/, 'expected a 40-hex commit');
const envVars = z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/), z.string());

const flagValue = (args: readonly string[], flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};

const LayoutSchema = z
  .strictObject({
    gpu: z.string().min(1),
    /** the weights served: the model's own (fp8) or a repack under the chain model id */
    variant: z.enum(['fp8', 'nvfp4']).default('fp8'),
    /** the upstream node-config file this layout is taken from (deploy/join/models/) */
    upstream_file: z.string().regex(/^node-config-[\w.-]+\.json$/),
    tensor_parallel: z.union([z.literal(1), z.literal(2), z.literal(4), z.literal(8)]),
    gpu_memory_utilization: z.number().gt(0).lte(1),
    /** measured PoC nonces per minute on 8 GPUs of the class; null: not measured (never ranked) */
    poc_nonces_per_min_8gpu: z.number().positive().nullable(),
    /** a measured cold start (weights cached), seconds */
    cold_start_s: z.number().int().positive().optional(),
    /** ML node container environment beyond the compose defaults */
    env: envVars.default({}),
    model_override: z.strictObject({ hf_repo: modelId, hf_commit: commit }).optional(),
    /** the oldest api that serves this layout */
    min_api_version: z.string().optional(),
    /** the vLLM arguments, exactly as upstream ships them */
    args: z.array(z.string()).min(1),
  })
  .superRefine((l, ctx) => {
    if (flagValue(l.args, '--tensor-parallel-size') !== String(l.tensor_parallel))
      ctx.addIssue({ code: 'custom', message: `args set --tensor-parallel-size ${flagValue(l.args, '--tensor-parallel-size')}, not ${l.tensor_parallel}` });
    if (Number(flagValue(l.args, '--gpu-memory-utilization')) !== l.gpu_memory_utilization)
      ctx.addIssue({
        code: 'custom',
        message: `args set --gpu-memory-utilization ${flagValue(l.args, '--gpu-memory-utilization')}, not ${l.gpu_memory_utilization}`,
      });
  });

const ModelSchema = z.strictObject({
  id: modelId,
  hf_commit: commit,
  /** the v_ram the chain registers per instance (approximate: upstream's layouts decide TP, e.g. MiniMax on one B300) */
  vram_gb_per_instance: z.number().int().positive(),
  load_timeout_s: z.number().int().positive(),
  /** ML node images that run the model, preferred first */
  images: z.array(z.strictObject({ tag: z.string().regex(/^[\w][\w.-]*$/), cuda })).min(1),
  /** added on NVSwitch hosts inside a VM */
  vm_nvswitch_env: envVars.default({}),
  layouts: z.array(LayoutSchema).min(1),
});

export const ModelCatalogSchema = z
  .strictObject({
    image_repository: z.string().regex(/^[\w./-]+$/),
    /** the lowest driver branch that runs each CUDA version */
    cuda_min_driver: z.record(cuda, z.number().int().positive()),
    gpu_classes: z
      .array(
        z.strictObject({
          name: z.string().min(1),
          memory_gb: z.number().int().positive(),
          /** nvidia-smi's name for the GPU contains this */
          name_contains: z.string().min(1),
          /** false: no upstream layout or rate exists for it (RTX PRO 6000) */
          benchmarked: z.boolean(),
        }),
      )
      .min(1),
    models: z.array(ModelSchema).min(1),
  })
  .superRefine((c, ctx) => {
    const classes = new Set(c.gpu_classes.map((g) => g.name));
    for (const m of c.models) {
      for (const l of m.layouts) {
        if (!classes.has(l.gpu)) ctx.addIssue({ code: 'custom', message: `${m.id}: layout for unknown GPU class ${l.gpu}` });
      }
      for (const i of m.images)
        if (c.cuda_min_driver[i.cuda] === undefined) ctx.addIssue({ code: 'custom', message: `${m.id}: no driver minimum for CUDA ${i.cuda}` });
    }
  });

export type ModelCatalog = z.output<typeof ModelCatalogSchema>;
export type CatalogModel = ModelCatalog['models'][number];
export type CatalogLayout = CatalogModel['layouts'][number];

export const modelCatalogFile = (dir = dataDir): string => join(dir, 'model-catalog.yml');

/** The catalog, validated; a bad file is an error naming it and the field. */
export const loadModelCatalog = (file = modelCatalogFile()): ModelCatalog => {
  const parsed = ModelCatalogSchema.safeParse(parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`);
  return parsed.data;
};

/** The catalog's class of a GPU by its nvidia-smi name, e.g. `NVIDIA H100 80GB HBM3` → H100. */
export const gpuClassOf = (catalog: ModelCatalog, gpuName: string): ModelCatalog['gpu_classes'][number] | undefined =>
  catalog.gpu_classes.find((g) => gpuName.toUpperCase().includes(g.name_contains.toUpperCase()));

/**
 * The driver branch the ML node image needs: the preferred image of `modelId` (the operator's model), else the highest
 * any catalog model's preferred image needs, since the chain's coefficients pick the model only once the driver runs.
 */
export const preferredDriverBranch = (catalog: ModelCatalog, modelId?: string): number => {
  const models = modelId === undefined ? catalog.models : catalog.models.filter((m) => m.id === modelId);
  if (models.length === 0) throw new Error(`${modelId} is not in nop's model catalog (data/model-catalog.yml)`);
  return Math.max(...models.map((m) => catalog.cuda_min_driver[m.images[0].cuda]));
};
