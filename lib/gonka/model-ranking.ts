import { z } from 'zod';
import { type CatalogLayout, type ModelCatalog, gpuClassOf } from './model-catalog.js';

/**
 * Which PoC model earns most on a server's GPUs: the catalog's measured rate for the GPU class × the GPUs an upstream
 * layout uses × the model's current coefficient on chain. The live models and coefficients are the chain's
 * (`query inference params` → `poc_params.models`, `dynamic_coefficients/<epoch>` → `effective_coefficient`).
 */

export interface LiveModel {
  model_id: string;
  /** the effective coefficient this epoch */
  coefficient: number;
}

export interface RankedLayout {
  model_id: string;
  variant: CatalogLayout['variant'];
  gpu_class: string;
  tensor_parallel: number;
  /** vLLM instances on this server: floor(GPUs / TP) */
  instances: number;
  poc_nonces_per_min_8gpu: number | null;
  coefficient: number;
  /** rate × GPUs used / 8 × coefficient; null when the layout cannot be ranked (see `why`) */
  score: number | null;
  why?: string;
  layout?: CatalogLayout;
}

/** `{value, exponent}` (the chain's decimal encoding) or a plain number/string. */
export const DecimalSchema = z.union([
  z
    .strictObject({ value: z.union([z.string(), z.number()]), exponent: z.union([z.string(), z.number()]) })
    .transform((d) => Number(`${d.value}e${d.exponent}`)),
  z.union([z.string(), z.number()]).transform(Number),
]);

const ParamsSchema = z.looseObject({
  params: z.looseObject({ poc_params: z.looseObject({ models: z.array(z.looseObject({ model_id: z.string() })) }) }),
});

const CoefficientsSchema = z.looseObject({
  coefficients: z.array(z.looseObject({ model_id: z.string(), effective_coefficient: DecimalSchema })),
});

/** The live PoC models with their coefficients, from the two chain answers (JSON); a live model without one is an error. */
export const liveModelsFromChain = (paramsJson: string, coefficientsJson: string): LiveModel[] => {
  const live = ParamsSchema.parse(JSON.parse(paramsJson)).params.poc_params.models.map((m) => m.model_id);
  const coefficients = new Map(CoefficientsSchema.parse(JSON.parse(coefficientsJson)).coefficients.map((c) => [c.model_id, c.effective_coefficient]));
  return live.map((model_id) => {
    const coefficient = coefficients.get(model_id);
    if (coefficient === undefined || !Number.isFinite(coefficient))
      throw new Error(`dynamic_coefficients has no effective coefficient for the PoC model ${model_id}`);
    return { model_id, coefficient };
  });
};

const rankLayout = (live: LiveModel, gpuClass: string, gpuCount: number, l: CatalogLayout): RankedLayout => {
  const instances = Math.floor(gpuCount / l.tensor_parallel);
  const base = {
    model_id: live.model_id,
    variant: l.variant,
    gpu_class: gpuClass,
    tensor_parallel: l.tensor_parallel,
    instances,
    coefficient: live.coefficient,
  };
  const rate = l.poc_nonces_per_min_8gpu;
  if (instances === 0)
    return { ...base, poc_nonces_per_min_8gpu: rate, score: null, why: `needs ${l.tensor_parallel} GPUs, the server has ${gpuCount}`, layout: l };
  if (rate === null) return { ...base, poc_nonces_per_min_8gpu: null, score: null, why: `not benchmarked on ${gpuClass}`, layout: l };
  return { ...base, poc_nonces_per_min_8gpu: rate, score: ((rate * instances * l.tensor_parallel) / 8) * live.coefficient, layout: l };
};

/**
 * Every live model's layouts for `gpuCount` GPUs named `gpuName`, best first (unrankable ones last, with why). A live
 * model the catalog does not know is an error naming it: nop cannot serve it, or decide about it, without data.
 */
export const rankModels = (catalog: ModelCatalog, gpuName: string, gpuCount: number, live: LiveModel[]): RankedLayout[] => {
  const cls = gpuClassOf(catalog, gpuName);
  const unknown = live.filter((m) => !catalog.models.some((c) => c.id === m.model_id)).map((m) => m.model_id);
  if (unknown.length)
    throw new Error(
      `the chain's PoC model${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not in nop's model catalog (data/model-catalog.yml)`,
    );
  const ranked = live.flatMap((m) => {
    const layouts = cls ? catalog.models.find((c) => c.id === m.model_id)!.layouts.filter((l) => l.gpu === cls.name) : [];
    if (layouts.length === 0) {
      const why = !cls ? `no catalog class for ${gpuName}` : cls.benchmarked ? `no upstream layout for ${cls.name}` : `${cls.name} is not benchmarked`;
      return [
        {
          model_id: m.model_id,
          variant: 'fp8' as const,
          gpu_class: cls?.name ?? gpuName,
          tensor_parallel: 0,
          instances: 0,
          poc_nonces_per_min_8gpu: null,
          coefficient: m.coefficient,
          score: null,
          why,
        },
      ];
    }
    return layouts.map((l) => rankLayout(m, cls!.name, gpuCount, l));
  });
  return ranked.sort((a, b) => (b.score ?? -1) - (a.score ?? -1));
};

export interface ModelChoice {
  model_id: string;
  variant?: CatalogLayout['variant'];
}

/** The operator's model when given (it must have a layout that fits), else the best-ranked layout. */
export const chooseModel = (ranking: RankedLayout[], override?: ModelChoice): RankedLayout => {
  if (override) {
    const fits = ranking.filter(
      (r) => r.model_id === override.model_id && r.layout && r.instances > 0 && (!override.variant || r.variant === override.variant),
    );
    if (fits.length === 0) {
      const seen = ranking.find((r) => r.model_id === override.model_id);
      throw new Error(
        `model override ${override.model_id}${override.variant ? ` (${override.variant})` : ''} cannot run here: ${seen?.why ?? 'it is not a live PoC model'}`,
      );
    }
    return fits[0];
  }
  const best = ranking.find((r) => r.score !== null);
  if (!best) throw new Error(`no live PoC model can be ranked on these GPUs: ${ranking.map((r) => `${r.model_id}: ${r.why}`).join('; ')}`);
  return best;
};

/** The image for a layout's model on a driver supporting `driverCuda` (nvidia-smi's "CUDA Version"), and the driver it needs. */
export const imageFor = (catalog: ModelCatalog, modelId: string, driverCuda?: string): { image: string; cuda: string; min_driver: number } => {
  const model = catalog.models.find((m) => m.id === modelId);
  if (!model) throw new Error(`${modelId} is not in nop's model catalog`);
  const atLeast = (a: string, b: string) => {
    const [am, an] = a.split('.').map(Number);
    const [bm, bn] = b.split('.').map(Number);
    return am > bm || (am === bm && an >= bn);
  };
  // the preferred image when the driver is unknown (the nvidia role installs the driver it needs)
  const pick = driverCuda === undefined ? model.images[0] : (model.images.find((i) => atLeast(driverCuda, i.cuda)) ?? model.images[0]);
  return { image: `${catalog.image_repository}:${pick.tag}`, cuda: pick.cuda, min_driver: catalog.cuda_min_driver[pick.cuda] };
};
