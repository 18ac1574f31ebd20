import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFleet, taskResults, type Fleet, type FleetHost, DEPLOY } from './sim-fleet.js';

const PLAYBOOK = join(import.meta.dirname, '../../../playbooks/update.yml');
// timeouts a slow machine never reaches: the simulated chain and model loads move as the role polls (sim/gonka/clock.mjs)
const FAST = { update_poll_interval: 0.2, update_poc_margin_blocks: 60, update_load_timeout: 600, update_window_timeout: 600 };
const NEW_TAG = '0.2.99';
const OVERRIDES = { ...FAST, gonka_versions_overrides: { proxy: NEW_TAG } };

interface Container {
  Service: string;
  ID: string;
  Image: string;
  State: string;
  CreatedAt: string;
}

describe('update.yml: a network node image (proxy) on a full server (simulated)', () => {
  let fleet: Fleet;
  let host: FleetHost;
  const composeFile = () => readFile(join(host.deployDir, 'docker-compose.yml'), 'utf8');
  const proxyImage = async () => /\n {2}proxy:\n(?: {4}.*\n)*? {4}image: (\S+)/.exec(await composeFile())![1];
  const containers = async (): Promise<Container[]> => {
    const res = await fleet.sh(host, `cd ${DEPLOY} && set -a && . ./config.env && set +a && docker compose -f docker-compose.yml ps -a --format json`);
    return res.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => {
        // what identifies a container (not its uptime text)
        const { Service, ID, Image, State, CreatedAt } = JSON.parse(l) as Container;
        return { Service, ID, Image, State, CreatedAt };
      })
      .sort((a, b) => a.Service.localeCompare(b.Service));
  };

  beforeAll(async () => {
    fleet = await createFleet(1, { blocksPerSecond: 10, snapshotLagBlocks: 0, modelLoadSeconds: 1 });
    host = fleet.hosts[0];
  });
  afterAll(() => fleet?.cleanup());

  it('--check prints the plan and changes nothing', async () => {
    const file = await composeFile();
    const from = await proxyImage();
    const before = await containers();
    const res = await fleet.run(PLAYBOOK, OVERRIDES, { check: true });
    const results = taskResults(res.events);
    expect(res.code, JSON.stringify(results.filter((r) => r.status === 'failed'))).toBe(0);
    const to = from.replace(/:[^:]+$/, `:${NEW_TAG}`);
    expect(results.find((e) => e.task.endsWith('Plan the update'))!.result.msg).toBe(`proxy: ${from} → ${to}`);
    expect(results.find((e) => e.task.endsWith('Update the network node images'))!.result.msg).toBe(`would update proxy ${from} → ${to}`);
    expect(results.some((e) => e.task.endsWith('Update the ML nodes one by one') && e.status !== 'skipped')).toBe(false);
    expect(await composeFile()).toBe(file);
    expect(await containers()).toEqual(before);
  });

  it('recreates only the proxy, on the new image, and a second run changes nothing', async () => {
    const file = await composeFile();
    const from = await proxyImage();
    const to = from.replace(/:[^:]+$/, `:${NEW_TAG}`);
    const before = await containers();
    const res = await fleet.run(PLAYBOOK, OVERRIDES);
    const results = taskResults(res.events);
    expect(res.code, JSON.stringify(results.filter((r) => r.status === 'failed'))).toBe(0);
    const update = results.find((e) => e.task.endsWith('Update the network node images'))!;
    expect([update.status, update.result.msg]).toEqual(['changed', `proxy: ${from} → ${to}`]);
    // only the proxy's image line changed
    expect(await composeFile()).toBe(file.replace(`image: ${from}`, `image: ${to}`));
    const after = await containers();
    const proxy = after.find((c) => c.Service === 'proxy')!;
    expect([proxy.Image, proxy.State]).toEqual([to, 'running']);
    expect(proxy.CreatedAt).not.toBe(before.find((c) => c.Service === 'proxy')!.CreatedAt);
    expect(after.filter((c) => c.Service !== 'proxy')).toEqual(before.filter((c) => c.Service !== 'proxy'));
    expect((await fetch(host.url(8000, '/health'))).status).toBe(200);

    const again = await fleet.run(PLAYBOOK, OVERRIDES);
    expect(again.code).toBe(0);
    const rerun = taskResults(again.events);
    expect(rerun.find((e) => e.task.endsWith('Plan the update'))!.result.msg).toBe('every image is current');
    expect(rerun.filter((e) => e.status === 'changed')).toEqual([]);
    expect(await containers()).toEqual(after);
  });
});
