import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advance } from '../../sim/gonka/clock.mjs';
import { readScenario, writeScenario } from '../../sim/gonka/scenario.mjs';
import { createSimProject, eventually, getJson, type SimProject } from './sim-project.js';

const INFO = JSON.stringify({
  binaries: { 'linux/amd64': 'https://example.invalid/inferenced-amd64.zip?checksum=sha256:00' },
  api_binaries: { 'linux/amd64': 'https://example.invalid/decentralized-api-amd64.zip?checksum=sha256:11' },
});

describe('gonka simulator: chain halted at an upgrade height', () => {
  let sim: SimProject;
  let upgradeHeight: number;

  beforeAll(async () => {
    sim = await createSimProject({ scenario: { networkHeight: 2000, blocksPerSecond: 10, snapshotLagBlocks: 0 } });
    await sim.hook(['up', '-d', 'proxy']);
    const { body } = await getJson(sim.url('rpc', '/status'));
    upgradeHeight = Number(body.result.sync_info.latest_block_height) + 15;
    writeScenario(sim.stateDir, { upgrade: { name: 'v0.2.5', height: upgradeHeight, info: INFO } });
  });
  afterAll(() => sim.cleanup());

  it('halts one block short, writes upgrade-info.json and logs the real panic', async () => {
    // the 15 blocks to the upgrade height take 1.5 s of chain time
    advance(sim.stateDir, 2);
    const infoFile = path.join(sim.deploy, '.inference/data/upgrade-info.json');
    await eventually(
      () => fs.readFile(infoFile, 'utf8'),
      (t) => t.length > 0,
      'upgrade-info.json',
    );
    expect(JSON.parse(await fs.readFile(infoFile, 'utf8'))).toEqual({ name: 'v0.2.5', time: '0001-01-01T00:00:00Z', height: upgradeHeight, info: INFO });
    const logs = await sim.hook(['logs', 'node']);
    expect(logs.stdout).toContain(`ERR UPGRADE "v0.2.5" NEEDED at height: ${upgradeHeight}: ${INFO} module=x/upgrade`);
    expect(logs.stdout).toContain(`panic: UPGRADE "v0.2.5" NEEDED at height: ${upgradeHeight}: `);
    expect((await fetch(sim.url('proxy', '/chain-rpc/status'))).status).toBe(502);
    await expect(fetch(sim.url('rpc', '/status'))).rejects.toThrow();
    const ps = (await sim.hook(['ps', '--format', 'json', 'node'])).stdout.trim();
    expect(JSON.parse(ps).State).toBe('restarting');
    const state = JSON.parse(await fs.readFile(path.join(sim.deploy, '.inference/data/priv_validator_state.json'), 'utf8'));
    expect(state.height).toBe(String(upgradeHeight - 1));
  });

  it('resumes past the upgrade height once the upgrade binary is in place', async () => {
    const bin = path.join(sim.deploy, '.inference/cosmovisor/upgrades/v0.2.5/bin');
    await fs.mkdir(bin, { recursive: true });
    await fs.writeFile(path.join(bin, 'inferenced'), '#!/bin/sh\n', { mode: 0o755 });
    const resumed = await eventually(
      () => getJson(sim.url('rpc', '/status')),
      (r) => Number(r.body.result.sync_info.latest_block_height) >= upgradeHeight,
      'node to resume',
    );
    expect(resumed.status).toBe(200);
    expect(await fs.readlink(path.join(sim.deploy, '.inference/cosmovisor/current'))).toBe('upgrades/v0.2.5');
    expect((await sim.hook(['logs', 'node'])).stdout).toContain(`applying upgrade "v0.2.5" at height: ${upgradeHeight}`);
  });

  it('writeScenario keeps the network height continuous', () => {
    const before = readScenario(sim.stateDir);
    const after = writeScenario(sim.stateDir, { modelLoadSeconds: 5 });
    expect(after.networkHeight).toBeGreaterThanOrEqual(before.networkHeight);
    expect(after.modelLoadSeconds).toBe(5);
    expect(after.upgrade?.name).toBe('v0.2.5');
  });
});
