import type { GpuFacts } from '../../lib/gpu/facts.js';
import { recommend, type Recommendation } from '../../lib/gpu/recommend.js';
import { loadVersions } from '../../lib/gonka/versions.js';

export const GPU_SETS = {
  '8xH100': { name: 'NVIDIA H100 80GB HBM3', memory_mib: 81559, compute_cap: '9.0', count: 8, nvlink: true },
  '2xB200': { name: 'NVIDIA B200', memory_mib: 183359, compute_cap: '10.0', count: 2, nvlink: true },
  '1xRTX3090': { name: 'NVIDIA GeForce RTX 3090', memory_mib: 24576, compute_cap: '8.6', count: 1, nvlink: false },
} as const;

export type GpuSet = keyof typeof GPU_SETS;

const factsOf = (set: GpuSet): GpuFacts => {
  const g = GPU_SETS[set];
  return {
    nvidia_smi: { state: 'ok', message: '' },
    gpus: Array.from({ length: g.count }, (_, i) => ({
      index: i,
      name: g.name,
      memory_mib: g.memory_mib,
      driver_version: '570.133.20',
      pci_bus_id: `00000000:${(0x18 + i).toString(16).toUpperCase()}:00.0`,
      compute_cap: g.compute_cap,
    })),
    compute_cap_reported: true,
    topology: { gpu_count: g.count, matrix: [], nvlink_mesh: g.nvlink, min_links: g.nvlink ? 18 : 0, nvswitch: g.nvlink && g.count >= 8 },
    nvlink: [],
    driver: { kernel: '570.133.20', kernel_on_disk: '570.133.20', user_space: '570.133.20', packages: [] },
    fabric_manager: null,
    held: [],
    disks: { deploy_dir: null, hf_home: null },
    secure_boot: null,
  };
};

/** What gpu-detect publishes as `gpu_recommendation` for these GPUs. */
export const recommendationFor = async (set: GpuSet, network: 'mainnet' | 'testnet'): Promise<Recommendation> =>
  recommend(factsOf(set), { network, versions: await loadVersions() });
