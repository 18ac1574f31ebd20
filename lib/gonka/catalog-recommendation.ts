import { z } from 'zod';
import type { GpuFacts } from '../gpu/facts.js';
import { installedBranch } from '../gpu/gpu-state.js';
import type { Recommendation } from '../gpu/recommend.js';
import type { LivePocModels } from './live-poc-models.js';
import type { CatalogModel, ModelCatalog } from './model-catalog.js';
import { chooseModel, rankModels, type RankedLayout } from './model-ranking.js';

/** The operator's model: `ORG/MODEL`, or `{model_id, variant}` to pick a repack (nvfp4). Empty: the best-ranked one. */
export const ModelOverrideSchema = z.union([
  z.literal('').transform(() => undefined),
  z
    .string()
    .regex(/^[\w.-]+\/[\w.-]+$/, 'expected ORG/MODEL')
    .transform((model_id): { model_id: string; variant?: 'fp8' | 'nvfp4' } => ({ model_id })),
  z.strictObject({ model_id: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'expected ORG/MODEL'), variant: z.enum(['fp8', 'nvfp4']).optional() }),
]);

export type ModelOverride = z.output<typeof ModelOverrideSchema>;

// upstream's node-config files give every ML node this many concurrent requests
const UPSTREAM_MAX_CONCURRENT = 500;

/** What the catalog choice adds to gpu-detect's recommendation: the later roles render these as they are. */
export interface CatalogRecommendation extends Omit<Recommendation, 'max_model_len'> {
  /** the layout's --max-model-len; absent where upstream leaves it to vLLM (GLM) */
  max_model_len?: number;
  /** the layout's vLLM arguments, exactly upstream's */
  vllm_args: string[];
  /** ML node environment of the layout (POC_BATCH_SIZE_DEFAULT, …), and the model's NCCL settings on NVSwitch inside a VM */
  env: Record<string, string>;
  /** the CUDA of the image and the lowest driver branch that runs it */
  cuda: string;
  min_driver: number;
  model_choice: { epoch: number; variant: string; score: number | null; coefficient: number; overridden: boolean; ranking: Omit<RankedLayout, 'layout'>[] };
}

/** The driver branch the host runs (nvidia-smi's), else the installed package's. */
const driverBranch = (facts: GpuFacts): number | undefined => {
  const running = Number(/^(\d+)\./.exec(facts.driver.user_space ?? '')?.[1]);
  return Number.isInteger(running) && running > 0 ? running : installedBranch(facts);
};

const imagesOf = (catalog: ModelCatalog, model: CatalogModel) =>
  model.images.map((i) => ({ image: `${catalog.image_repository}:${i.tag}`, cuda: i.cuda, min_driver: catalog.cuda_min_driver[i.cuda] }));

/** The model's preferred image the driver runs; a driver too old for every image is an error saying what to install. */
const imageFor = (catalog: ModelCatalog, model: CatalogModel, branch: number | undefined) => {
  const images = imagesOf(catalog, model);
  if (branch === undefined) return images[0];
  const runs = images.find((i) => branch >= i.min_driver);
  if (runs) return runs;
  const lowest = Math.min(...images.map((i) => i.min_driver));
  throw new Error(
    `${model.id} needs NVIDIA driver ${lowest} or newer (${images.map((i) => `${i.image}: CUDA ${i.cuda}, driver ≥ ${i.min_driver}`).join('; ')}); the host runs ${branch}: set nvidia_driver_version: ${Math.max(...images.map((i) => i.min_driver))} and run playbooks/prepare.yml`,
  );
};

const flag = (args: readonly string[], name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

/**
 * The ML node for a host's GPUs as the chain rewards it today: the catalog layout of the live PoC model that earns
 * most on the server's largest group of one GPU model (or the operator's model), its image for the host's driver,
 * and one instance per TP-sized slice of those GPUs. `base` is the legacy sizing (its GPU description is kept).
 */
export const catalogRecommendation = (
  base: Recommendation,
  facts: GpuFacts,
  catalog: ModelCatalog,
  chain: LivePocModels,
  override: ModelOverride,
): CatalogRecommendation => {
  const byName = new Map<string, number[]>();
  for (const g of base.gpus) byName.set(g.name, [...(byName.get(g.name) ?? []), g.index]);
  const [name, ids] = [...byName.entries()].sort((a, b) => b[1].length - a[1].length)[0];
  const ranking = rankModels(catalog, name, ids.length, chain.live);
  // a repack (model_override: other weights under the chain's model id) is ranked but not deployed: node-config
  // would need its hf_repo, which nop does not render yet
  if (override?.variant === 'nvfp4')
    throw new Error(`gonka_model: the ${override.variant} repack of ${override.model_id} is not deployed by nop yet; choose its fp8 layout`);
  const chosen = chooseModel(
    ranking.filter((r) => r.layout?.model_override === undefined),
    override,
  );
  const layout = chosen.layout!;
  const model = catalog.models.find((m) => m.id === chosen.model_id)!;
  const image = imageFor(catalog, model, driverBranch(facts));
  const tp = layout.tensor_parallel;
  const instances = Array.from({ length: chosen.instances }, (_, i) => ({ id: `node${i + 1}`, gpu_ids: ids.slice(i * tp, (i + 1) * tp), tensor_parallel: tp }));
  const idle = base.gpus.map((g) => g.index).filter((i) => !instances.some((inst) => inst.gpu_ids.includes(i)));
  const maxModelLen = Number(flag(layout.args, '--max-model-len'));
  const attention = flag(layout.args, '--attention-backend');
  const { max_model_len: _legacy, ...gpus } = base;
  return {
    ...gpus,
    model: chosen.model_id,
    tensor_parallel: tp,
    instances,
    gpu_memory_utilization: layout.gpu_memory_utilization,
    ...(Number.isInteger(maxModelLen) && maxModelLen > 0 ? { max_model_len: maxModelLen } : {}),
    kv_cache_dtype: flag(layout.args, '--kv-cache-dtype') === 'fp8' ? 'fp8' : 'auto',
    attention_backend: attention === 'FLASH_ATTN' ? 'FLASH_ATTN' : 'FLASHINFER',
    image: image.image,
    max_concurrent: UPSTREAM_MAX_CONCURRENT,
    vllm_args: layout.args,
    env: { ...layout.env, ...(facts.virtual_machine && facts.topology?.nvswitch ? model.vm_nvswitch_env : {}) },
    cuda: image.cuda,
    min_driver: image.min_driver,
    model_choice: {
      epoch: chain.epoch,
      variant: chosen.variant,
      score: chosen.score,
      coefficient: chosen.coefficient,
      overridden: override !== undefined,
      ranking: ranking.map(({ layout: _l, ...r }) => r),
    },
    warnings: idle.length ? [`GPUs ${idle.join(',')} stay idle: ${chosen.model_id} runs TP ${tp} on ${name} only`] : [],
  };
};
