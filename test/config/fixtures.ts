import type { GpuFacts } from '../../lib/gpu/facts.js';
import { recommend, type Recommendation } from '../../lib/gpu/recommend.js';
import { loadVersions } from '../../lib/gonka/versions.js';
import { catalogRecommendation, type CatalogRecommendation } from '../../lib/gonka/catalog-recommendation.js';
import { loadModelCatalog } from '../../lib/gonka/model-catalog.js';
import { DEFAULT_CHAIN } from '../../sim/gonka/chain-params.mjs';

export const GPU_SETS = {
  '8xH100': { name: 'NVIDIA H100 80GB HBM3', memory_mib: 81559, compute_cap: '9.0', count: 8, nvlink: true },
  '2xB200': { name: 'NVIDIA B200', memory_mib: 183359, compute_cap: '10.0', count: 2, nvlink: true },
  '1xRTX3090': { name: 'NVIDIA GeForce RTX 3090', memory_mib: 24576, compute_cap: '8.6', count: 1, nvlink: false },
} as const;

export type GpuSet = keyof typeof GPU_SETS;

const factsOf = (set: GpuSet, driver = '570.133.20', vm: boolean | null = null): GpuFacts => {
  const g = GPU_SETS[set];
  return {
    nvidia_smi: { state: 'ok', message: '' },
    gpus: Array.from({ length: g.count }, (_, i) => ({
      index: i,
      name: g.name,
      memory_mib: g.memory_mib,
      driver_version: driver,
      pci_bus_id: `00000000:${(0x18 + i).toString(16).toUpperCase()}:00.0`,
      compute_cap: g.compute_cap,
    })),
    compute_cap_reported: true,
    topology: { gpu_count: g.count, matrix: [], nvlink_mesh: g.nvlink, min_links: g.nvlink ? 18 : 0, nvswitch: g.nvlink && g.count >= 8 },
    nvlink: [],
    driver: { kernel: driver, kernel_on_disk: driver, user_space: driver, packages: [] },
    fabric_manager: null,
    held: [],
    disks: { deploy_dir: null, hf_home: null },
    secure_boot: null,
    virtual_machine: vm,
  };
};

/** What gpu-detect publishes as `gpu_recommendation` for these GPUs. */
export const recommendationFor = async (set: GpuSet, network: 'mainnet' | 'testnet'): Promise<Recommendation> =>
  recommend(factsOf(set), { network, versions: await loadVersions() });

/**
 * What gpu-detect publishes for these GPUs on driver 580 from the catalog, at the simulated chain's v0.2.16 starting
 * coefficients (epoch 422): what the demo and the e2e servers serve. `vm`: the GPUs are passed through to a VM.
 */
export const catalogRecommendationFor = async (
  set: GpuSet,
  { model, vm = null }: { model?: string; vm?: boolean | null } = {},
): Promise<CatalogRecommendation> => {
  const facts = factsOf(set, '580.95.05', vm);
  const live = DEFAULT_CHAIN.pocModels.map((m) => ({ model_id: m.model_id, coefficient: m.coefficient }));
  return catalogRecommendation(
    recommend(facts, { network: 'mainnet', versions: await loadVersions() }),
    facts,
    loadModelCatalog(),
    { epoch: 422, live },
    model ? { model_id: model } : undefined,
  );
};
