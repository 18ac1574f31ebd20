import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFleet, taskResults, type Fleet, type FleetHost, DEPLOY } from '../update/sim-fleet.js';

const PLAYBOOK = join(import.meta.dirname, '../../../playbooks/repair.yml');
const FAST = { repair_poll_interval: 0.2, repair_height_timeout: 600, repair_min_free_gb: 0 };

describe('repair.yml: an exited container (simulated)', () => {
  let fleet: Fleet;
  let host: FleetHost;
  const compose = (args: string) => fleet.sh(host, `cd ${DEPLOY} && set -a && . ./config.env && set +a && docker compose -f docker-compose.yml ${args}`);
  const proxyState = async () =>
    JSON.parse((await compose('ps -a --format json proxy')).stdout.trim().split('\n')[0]) as {
      State: string;
      ExitCode: number;
      Status: string;
      CreatedAt: string;
    };
  const nodeCreated = async () => JSON.parse((await compose('ps --format json node')).stdout.trim()).CreatedAt as string;

  beforeAll(async () => {
    fleet = await createFleet(1, { blocksPerSecond: 10, snapshotLagBlocks: 0, modelLoadSeconds: 1 });
    host = fleet.hosts[0];
  });
  afterAll(() => fleet?.cleanup());

  it('diagnoses the exited proxy with its evidence, restarts it, and it answers again', async () => {
    expect((await fetch(host.url(8000, '/health'))).status).toBe(200);
    expect((await compose('stop proxy')).code).toBe(0);
    await expect(fetch(host.url(8000, '/health'))).rejects.toThrow();
    expect(await proxyState()).toMatchObject({ State: 'exited', ExitCode: 0 });
    const node = await nodeCreated();

    const res = await fleet.run(PLAYBOOK, FAST);
    const results = taskResults(res.events);
    expect(res.code, JSON.stringify(results.filter((r) => r.status === 'failed'))).toBe(0);
    const found = results.find((e) => e.task.endsWith('Diagnose'))!.result.diagnoses as { kind: string; evidence: string; service: string }[];
    expect(found.map((d) => d.kind)).toEqual(['container_down']);
    expect(found[0].evidence).toMatch(/^docker-compose\.yml: proxy is exited \(Exited \(0\) \d+ seconds ago\)$/);
    const restart = results.find((e) => e.task.endsWith('Restart containers that are down'))!;
    expect([restart.status, restart.result.msg]).toEqual(['changed', 'restarted proxy']);
    expect((await fetch(host.url(8000, '/health'))).status).toBe(200);
    expect((await proxyState()).State).toBe('running');
    expect(await nodeCreated()).toBe(node);
  });

  it('a second run finds nothing to repair and changes nothing', async () => {
    const again = await fleet.run(PLAYBOOK, FAST);
    expect(again.code).toBe(0);
    const results = taskResults(again.events);
    expect(String(results.find((e) => e.task.endsWith('Diagnose'))!.result.msg)).toBe('healthy: nothing to repair');
    expect(results.filter((e) => e.status === 'changed')).toEqual([]);
  });
});
