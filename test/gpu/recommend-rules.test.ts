import { describe, expect, test } from 'vitest';
import type { GpuFacts } from '../../lib/gpu/facts.js';
import { mlnodeImage } from '../../lib/gpu/image.js';
import { NoUsableGpuError, recommend } from '../../lib/gpu/recommend.js';
import type { GpuDevice } from '../../lib/gpu/query-csv.js';

const versions = { mlnode: '3.0.12' };

const factsOf = (gpus: Omit<GpuDevice, 'index' | 'driver_version' | 'pci_bus_id'>[], nvlink = true, hfFree = 5e12): GpuFacts => ({
  nvidia_smi: { state: 'ok', message: '' },
  gpus: gpus.map((g, i) => ({ ...g, index: i, driver_version: '570.133.20', pci_bus_id: `00000000:${(16 + i).toString(16)}:00.0` })),
  compute_cap_reported: gpus.every((g) => g.compute_cap !== null),
  topology: { gpu_count: gpus.length, matrix: [], nvlink_mesh: nvlink, min_links: nvlink ? 18 : 0, nvswitch: nvlink },
  nvlink: [],
  driver: { kernel: '570.133.20', kernel_on_disk: '570.133.20', user_space: '570.133.20', packages: [] },
  fabric_manager: null,
  held: [],
  disks: { deploy_dir: null, hf_home: { path: '/mnt/shared', measured: '/mnt/shared', available_bytes: hfFree, mount: '/mnt/shared' } },
  secure_boot: false,
  virtual_machine: false,
});

const h100 = { name: 'NVIDIA H100 80GB HBM3', memory_mib: 81559, compute_cap: '9.0' };
const a100 = { name: 'NVIDIA A100-SXM4-80GB', memory_mib: 81920, compute_cap: '8.0' };
const b200 = { name: 'NVIDIA B200', memory_mib: 183359, compute_cap: '10.0' };

describe('recommend rules', () => {
  test('the operator override wins over every computed value', () => {
    const r = recommend(factsOf(Array(8).fill(h100)), {
      network: 'mainnet',
      versions,
      override: {
        image: 'registry.example/mlnode:custom',
        tensor_parallel: 2,
        max_model_len: 100_000,
        kv_cache_dtype: 'fp8',
        attention_backend: 'FLASH_ATTN',
        model: 'Qwen/QwQ-32B',
        max_concurrent: 50,
      },
    });
    expect(r).toMatchObject({
      image: 'registry.example/mlnode:custom',
      tensor_parallel: 2,
      max_model_len: 100_000,
      kv_cache_dtype: 'fp8',
      attention_backend: 'FLASH_ATTN',
      model: 'Qwen/QwQ-32B',
      max_concurrent: 50,
    });
    expect(r.instances.map((i) => i.gpu_ids)).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
      [6, 7],
    ]);
    expect(r.instances.map((i) => i.id)).toEqual(['node1', 'node2', 'node3', 'node4']);
  });

  test('a utilization override outside 0.88–0.94 is kept but warned about', () => {
    const r = recommend(factsOf(Array(8).fill(h100)), { network: 'mainnet', versions, override: { gpu_memory_utilization: 0.99 } });
    expect(r.gpu_memory_utilization).toBe(0.99);
    expect(r.warnings.join()).toMatch(/outside 0\.88–0\.94/);
  });

  test('an override TP larger than the GPUs is refused', () => {
    expect(() => recommend(factsOf(Array(2).fill(h100)), { network: 'mainnet', versions, override: { tensor_parallel: 4 } })).toThrow(/needs 4 GPUs/);
  });

  test('an override TP that is not a power of two is refused by the schema', () => {
    expect(() => recommend(factsOf(Array(6).fill(h100)), { network: 'mainnet', versions, override: { tensor_parallel: 6 as 4 } })).toThrow();
  });

  test('6 GPUs of the 235B tier: TP 4 and two spare, never TP 6', () => {
    const r = recommend(factsOf(Array(6).fill(h100)), { network: 'mainnet', versions });
    expect(r).toMatchObject({ tensor_parallel: 4, max_model_len: 16_384, gpu_memory_utilization: 0.88 });
    expect(r.instances.map((i) => i.gpu_ids)).toEqual([[0, 1, 2, 3]]);
    expect(r.warnings.join()).toMatch(/GPUs 4,5 stay spare/);
  });

  test('the smallest GPU decides the memory tier when sizes differ', () => {
    const r = recommend(factsOf([...Array(4).fill(a100), ...Array(4).fill({ ...a100, name: 'NVIDIA A100-SXM4-40GB', memory_mib: 40960 })]), {
      network: 'mainnet',
      versions,
    });
    expect(r).toMatchObject({ tensor_parallel: 8, kv_cache_dtype: 'fp8' });
  });

  test('a group that cannot serve the chosen model stays idle: architectures are never mixed', () => {
    const r = recommend(factsOf([...Array(4).fill(b200), ...Array(2).fill(h100)]), { network: 'mainnet', versions });
    expect(r.instances.map((i) => i.gpu_ids)).toEqual([[0, 1, 2, 3]]);
    expect(r.image).toBe('ghcr.io/product-science/mlnode:3.0.12-blackwell');
    expect(r.warnings.join()).toMatch(/GPUs 4,5 \(sm_90\) stay idle/);
  });

  test('an old driver: architecture from the name, and a warning saying so', () => {
    const r = recommend(factsOf(Array(8).fill({ ...h100, compute_cap: null })), { network: 'mainnet', versions });
    expect(r.gpus[0]).toMatchObject({ compute_cap: '9.0', arch: 'sm_90' });
    expect(r.warnings.join()).toMatch(/too old to report compute_cap.*taken from its name/);
  });

  test('an unknown GPU cannot be sized', () => {
    expect(() => recommend(factsOf([{ name: 'Mystery Accelerator', memory_mib: 1000, compute_cap: null }]), { network: 'mainnet', versions })).toThrow(
      NoUsableGpuError,
    );
  });

  test('testnet does not ask for 250 GB free on HF_HOME; mainnet does', () => {
    const f = factsOf(Array(8).fill(h100), true, 100e9);
    expect(recommend(f, { network: 'mainnet', versions }).warnings.join()).toMatch(/only 100 GB free/);
    expect(recommend(f, { network: 'testnet', versions }).warnings).toEqual([]);
  });

  test('image tags', () => {
    expect(mlnodeImage('3.0.12', false)).toBe('ghcr.io/product-science/mlnode:3.0.12');
    expect(mlnodeImage('3.0.12', true)).toBe('ghcr.io/product-science/mlnode:3.0.12-blackwell');
    expect(mlnodeImage('3.0.12-blackwell', true)).toBe('ghcr.io/product-science/mlnode:3.0.12-blackwell');
    // from 3.0.14 on: one image for every GPU, in ghcr.io/gonka-ai
    expect(mlnodeImage('3.0.14-post2', true)).toBe('ghcr.io/gonka-ai/mlnode:3.0.14-post2');
    expect(mlnodeImage('3.1.0-vllm-0.28.0', false)).toBe('ghcr.io/gonka-ai/mlnode:3.1.0-vllm-0.28.0');
  });
});
