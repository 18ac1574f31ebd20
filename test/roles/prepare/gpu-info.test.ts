import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { gpuInfoCommand } from '../../../lib/cli/gpu-info-command.js';
import { createSimHost, type SimHost } from '../../../sim/host/create.js';
import { sshInto, type SimSshAccess } from '../../helpers/sim-ssh.js';

let dir: string;
let inventory: string;
let hosts: SimHost[] = [];
let access: SimSshAccess[] = [];
// `nop gpu-info` reaches the simulated servers as any server: over SSH, to their own sshd
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-gpuinfo-'));
  hosts = await Promise.all([createSimHost({ profile: 'h100-8x', dir: join(dir, 'h100') }), createSimHost({ profile: 'no-gpu', dir: join(dir, 'none') })]);
  access = await Promise.all(hosts.map((h) => sshInto(h)));
  inventory = join(dir, 'inventory.yml');
  await writeFile(inventory, stringify({ all: { hosts: { h100: access[0].vars, none: access[1].vars } } }));
});
afterAll(async () => {
  await Promise.all(access.map((a) => a.close()));
  await Promise.all(hosts.map((h) => h.close()));
  await rm(dir, { recursive: true, force: true });
});

const capture = async (opts: Parameters<typeof gpuInfoCommand>[0]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await gpuInfoCommand({ ...opts, out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
};

it('prints the GPUs and the recommendation as JSON', async () => {
  const res = await capture({ inventory: [inventory], limit: 'h100', json: true });
  expect(res.code).toBe(0);
  const h = JSON.parse(res.out).h100;
  expect(h.gpus).toHaveLength(8);
  expect(h.gpus[0]).toEqual({ index: 0, name: 'NVIDIA H100 80GB HBM3', memory_mib: 81559, compute_cap: '9.0', arch: 'sm_90' });
  expect(h).toMatchObject({ nvlink: true, model: 'Qwen/Qwen3-235B-A22B-Instruct-2507-FP8', tensor_parallel: 4, kv_cache_dtype: 'auto', warnings: [] });
  expect(h.instances).toHaveLength(2);
  expect(h.image).toMatch(/^ghcr\.io\/product-science\/mlnode:/);
});

it('prints a table', async () => {
  const res = await capture({ inventory: [inventory], limit: 'h100' });
  expect(res.out).toMatch(/NVIDIA H100 80GB HBM3 +81559 MiB +9\.0 +sm_90/);
  expect(res.out).toMatch(/tensor parallel: 4 \(node1: GPUs 0,1,2,3; node2: GPUs 4,5,6,7\)/);
});

it('a host without GPUs: a clear message and exit code 1', async () => {
  const res = await capture({ inventory: [inventory], limit: 'none' });
  expect(res.code).toBe(1);
  expect(res.err).toMatch(/none: no usable NVIDIA GPU: nvidia-smi is not installed/);
});
