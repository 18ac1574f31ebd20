import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { gpuInfoCommand } from '../../../lib/cli/gpu-info-command.js';
import { loadVersions } from '../../../lib/gonka/versions.js';
import { mlnodeImage } from '../../../lib/gpu/image.js';
import { createSimHost, type SimHost } from '../../../sim/host/create.js';
import { sshInto, type SimSshAccess } from '../../helpers/sim-ssh.js';
import { DEFAULT_CHAIN, dynamicCoefficients, paramsJson } from '../../../sim/gonka/chain-params.mjs';
import { DEFAULT_SCENARIO } from '../../../sim/gonka/scenario.mjs';

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
  // the release data/versions.yml names, in its registry; an H100 is no Blackwell board
  expect(h.image).toBe(mlnodeImage((await loadVersions()).mlnode, false));
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

// a public seed's answers, from the simulated chain's parameters: epoch 422, GLM oversupplied (its minimum coefficient)
const startChainApi = async (): Promise<Server> => {
  const chain = { ...DEFAULT_CHAIN, oversupplied: ['zai-org/GLM-5.3-Flash'] };
  const answers: Record<string, unknown> = {
    '/v1/epochs/latest': { latest_epoch: { index: 422, poc_start_block_height: 6_495_000 }, phase: 'Inference' },
    '/chain-api/productscience/inference/inference/params': paramsJson(chain, DEFAULT_SCENARIO.epoch),
    '/chain-api/productscience/inference/inference/dynamic_coefficients/422': dynamicCoefficients(chain, 422),
  };
  const server = createServer((req, res) => {
    const body = answers[req.url ?? ''];
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? { code: 5, message: 'not found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
};

it("ranks the chain's live PoC models for the host's GPUs by rate × the epoch's coefficient", async () => {
  const server = await startChainApi();
  try {
    const chainApi = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const json = await capture({ inventory: [inventory], limit: 'h100', json: true, chainApi });
    expect(json.code).toBe(0);
    const ranking = JSON.parse(json.out).h100.ranking;
    expect(ranking.epoch).toBe(422);
    expect(ranking.models.map((m: { model_id: string; score: number | null }) => [m.model_id, m.score === null ? null : Math.round(m.score)])).toEqual([
      ['MiniMaxAI/MiniMax-M2.7', Math.round(4736 * 0.3024)],
      ['zai-org/GLM-5.3-Flash', Math.round(1775 * 0.558)],
      ['deepseek-ai/DeepSeek-V4-Flash-0731', Math.round(3072 * 0.246)],
    ]);
    const text = await capture({ inventory: [inventory], limit: 'h100', chainApi });
    expect(text.out).toContain('PoC models at epoch 422 (rate × GPUs used / 8 × coefficient):');
    expect(text.out).toMatch(/MiniMaxAI\/MiniMax-M2\.7 +1432 += 4736\/min × 8\/8 × 0\.3024 \(TP 4 × 2\)/);
  } finally {
    server.close();
  }
});
