import { createHash } from 'node:crypto';
import { access, lstat, mkdir, readFile, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlaybook } from '../../../lib/runner/run-playbook.js';
import type { RunEvent } from '../../../lib/runner/types.js';
import { startServer, type TestServer } from '../../modules/http-server.js';
import { advance, writeScenario } from '../../../sim/gonka.js';
import { createFleet, eventually, getJson, taskResults, type Fleet, type FleetHost } from '../update/sim-fleet.js';

const PLAYBOOK = join(import.meta.dirname, '../../../playbooks/repair.yml');
// a generous timeout: the height moves as the role polls (sim/gonka/clock.mjs), however slow the machine
const FAST = { repair_poll_interval: 0.2, repair_height_timeout: 600, repair_min_free_gb: 0 };
const NODE = 'gpu1-node1';

describe('repair.yml: cosmovisor/current, FAILED ML nodes, unverified binaries (simulated)', () => {
  let fleet: Fleet;
  let host: FleetHost;
  let home: string;
  let server: TestServer;
  const requests: string[] = [];
  const adminNode = async () => (await getJson(host.url(9200, '/admin/v1/nodes'))).find((n: { node: { id: string } }) => n.node.id === NODE);

  beforeAll(async () => {
    fleet = await createFleet(1, { blocksPerSecond: 10, snapshotLagBlocks: 0, modelLoadSeconds: 1 });
    host = fleet.hosts[0];
    home = join(host.deployDir, '.inference');
    server = await startServer((req, res) => {
      requests.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(`#!/bin/sh\necho ${req.url}\n`);
    });
    await eventually(adminNode, (n) => n?.state.current_status === 'INFERENCE', `${NODE} serving`);
  });
  afterAll(async () => {
    await server?.close();
    await fleet?.cleanup();
  });

  it('diagnoses a dangling cosmovisor/current and a FAILED ML node with their evidence; re-enables the node once it recovers', async () => {
    const current = join(home, 'cosmovisor/current');
    const hadCurrent = await lstat(current).then(
      () => true,
      () => false,
    );
    if (hadCurrent) await rename(current, `${current}.kept`);
    await mkdir(join(home, 'cosmovisor'), { recursive: true });
    await symlink('upgrades/v9.9.9', current);
    writeScenario(host.stateDir, { failedNodes: { [NODE]: 'vLLM ran out of GPU memory' } });
    await fetch(host.url(9200, `/admin/v1/nodes/${NODE}/disable`), { method: 'POST' });
    await eventually(adminNode, (n) => n.state.current_status === 'FAILED' && !n.state.admin_state.enabled, `${NODE} FAILED and disabled`);

    const events: RunEvent[] = [];
    // the node recovers while repair waits for it (only after the diagnosis, which must see it FAILED)
    const emit = (e: RunEvent) => {
      events.push(e);
      if (e.type === 'task_result' && e.task.endsWith('Diagnose')) writeScenario(host.stateDir, { failedNodes: {} });
    };
    const summary = await runPlaybook({ playbook: PLAYBOOK, inventories: [join(fleet.dir, 'inventory.yml')], emit, extraVars: FAST, connect: fleet.connect });
    await rm(current);
    if (hadCurrent) await rename(`${current}.kept`, current);
    const results = taskResults(events);
    expect(summary.code, JSON.stringify(results.filter((r) => r.status === 'failed'))).toBe(0);
    const diag = results.find((e) => e.task.endsWith('Diagnose'))!;
    const found = diag.result.diagnoses as { kind: string; evidence: string }[];
    expect(found.find((d) => d.kind === 'dangling_current')?.evidence).toBe('cosmovisor/current -> upgrades/v9.9.9 does not exist');
    expect(found.find((d) => d.kind === 'mlnode_failed')?.evidence).toBe(`admin API: ${NODE} FAILED: vLLM ran out of GPU memory`);
    const reenabled = results.find((e) => e.task.endsWith('Re-enable recovered ML nodes'))!;
    expect([reenabled.status, reenabled.result.msg]).toEqual(['changed', `${NODE} recovered; enabled ${NODE}`]);
    expect((await adminNode()).state.admin_state.enabled).toBe(true);
  });

  it('refuses upgrade binaries published without a checksum unless allow_unverified: true', async () => {
    const url = (b: string) => `${server.url}/v0.2.6/${b}`;
    const info = JSON.stringify({ binaries: { 'linux/amd64': url('inferenced') }, api_binaries: { 'linux/amd64': url('decentralized-api') } });
    const status = await getJson(host.url(26657, '/status'));
    const height = Number(status.result.sync_info.latest_block_height) + 15;
    writeScenario(host.stateDir, { upgrade: { name: 'v0.2.6', height, info } });
    // the 15 blocks to the upgrade height: 1.5 s of chain time
    advance(host.stateDir, 2);
    await eventually(
      () => readFile(join(home, 'data/upgrade-info.json'), 'utf8'),
      (t) => t.includes('v0.2.6'),
      'the chain to halt',
    );

    const refused = await fleet.run(PLAYBOOK, FAST);
    expect(refused.code).not.toBe(0);
    const place = taskResults(refused.events).find((e) => e.task.endsWith('Place the upgrade binaries (sha256 verified)'))!;
    expect(place.status).toBe('failed');
    expect(String(place.result.msg)).toContain(`no sha256 published for ${url('inferenced')}, ${url('decentralized-api')}; refusing unverified binaries`);
    expect(requests).toEqual([]);
    await expect(access(join(home, 'cosmovisor/upgrades/v0.2.6/bin/inferenced'))).rejects.toThrow();

    const accepted = await fleet.run(PLAYBOOK, { ...FAST, allow_unverified: true });
    const results = taskResults(accepted.events);
    expect(accepted.code, JSON.stringify(results.filter((r) => r.status === 'failed'))).toBe(0);
    const placed = results.find((e) => e.task.endsWith('Place the upgrade binaries (sha256 verified)'))!;
    expect(String(placed.result.msg)).toMatch(/inferenced → .*UNVERIFIED/);
    expect(requests.sort()).toEqual(['/v0.2.6/decentralized-api', '/v0.2.6/inferenced']);
    const bin = await readFile(join(home, 'cosmovisor/upgrades/v0.2.6/bin/inferenced'), 'utf8');
    expect(createHash('sha256').update(bin).digest('hex')).toBe(createHash('sha256').update('#!/bin/sh\necho /v0.2.6/inferenced\n').digest('hex'));
  });
});
