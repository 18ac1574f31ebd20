import { describe, expect, it } from 'vitest';
import type { GpuFacts } from '../../lib/gpu/facts.js';
import type { ModuleContext } from '../../lib/modules/module.js';
import gpuDetect from '../../roles/gpu-detect/index.js';

// issue 14 item 4: the ML node layout is checked against the GPUs before any host is changed (gpu-detect's precondition)
const h100 = { name: 'NVIDIA H100 80GB HBM3', memory_mib: 81559, compute_cap: '9.0' };

const factsOf = (count: number, state: GpuFacts['nvidia_smi']['state'] = 'ok'): GpuFacts => ({
  nvidia_smi: { state, message: '' },
  gpus: Array.from({ length: count }, (_, i) => ({ ...h100, index: i, driver_version: '570.133.20', pci_bus_id: `00000000:${(16 + i).toString(16)}:00.0` })),
  compute_cap_reported: true,
  topology: { gpu_count: count, matrix: [], nvlink_mesh: true, min_links: 18, nvswitch: true },
  nvlink: [],
  driver: { kernel: '570.133.20', kernel_on_disk: '570.133.20', user_space: '570.133.20', packages: [] },
  fabric_manager: null,
  held: [],
  disks: { deploy_dir: null, hf_home: { path: '/mnt/shared', measured: '/mnt/shared', available_bytes: 5e12, mount: '/mnt/shared' } },
  secure_boot: false,
  virtual_machine: false,
});

const check = async (facts: GpuFacts, gpu_override: Record<string, unknown> = {}) => {
  const [layout] = gpuDetect.preconditions ?? [];
  const ctx = { facts: { read: async () => facts } } as unknown as ModuleContext;
  const vars = gpuDetect.vars.parse({
    gonka_deploy_dir: '/opt/gonka/deploy/join',
    hf_home: '/mnt/shared',
    gonka_network: 'mainnet',
    gonka_versions_overrides: {},
    gonka_network_overrides: {},
    gpu_override,
    gonka_chain_api: '',
    gonka_model: '',
    // the spring-2026 sizing needs no chain: this file is about the GPUs, the chain's part is in the e2e fleets
    gpu_sizing: 'legacy',
  });
  expect(layout.facts(vars)).toHaveLength(1);
  return layout.run(ctx, vars);
};

describe("gpu-detect's precondition: the layout fits the GPUs", () => {
  it('passes the layout the GPUs take', async () => {
    expect(await check(factsOf(8))).toMatchObject({ changed: false });
    expect((await check(factsOf(8))).failed).toBeUndefined();
  });

  it('fails an override the GPUs cannot take, saying why', async () => {
    expect(await check(factsOf(2), { tensor_parallel: 4 })).toMatchObject({
      failed: true,
      msg: expect.stringMatching(/^tensor_parallel 4 needs 4 GPUs of one architecture; .* has 2: an ML node needs a working NVIDIA GPU/),
    });
  });

  it('cannot tell before the driver answers (a bare server): the Detect task sizes the GPUs then', async () => {
    expect((await check(factsOf(0, 'no-driver'), { tensor_parallel: 4 })).failed).toBeUndefined();
  });
});
