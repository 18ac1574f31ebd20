import { createHash } from 'node:crypto';
import { access, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advance, writeScenario } from '../../../sim/gonka.js';
import { startServer, type TestServer } from '../../modules/http-server.js';
import { createFleet, eventually, getJson, shell, taskResults, type Fleet, type FleetHost } from '../update/sim-fleet.js';

const PLAYBOOK = join(import.meta.dirname, '../../../playbooks/repair.yml');
// a generous timeout: the height moves as the role polls (sim/gonka/clock.mjs), however slow the machine
const FAST = { repair_poll_interval: 0.2, repair_height_timeout: 600, repair_min_free_gb: 100_000 };
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** a release zip holding one executable */
const releaseZip = async (dir: string, binary: string): Promise<Buffer> => {
  await mkdir(join(dir, binary + '-src'), { recursive: true });
  await writeFile(join(dir, `${binary}-src`, binary), `#!/bin/sh\necho ${binary} v0.2.5\n`, { mode: 0o755 });
  const res = await shell(`cd '${join(dir, `${binary}-src`)}' && zip -q ../${binary}-amd64.zip ${binary}`, {});
  if (res.code !== 0) throw new Error(res.stderr);
  return readFile(join(dir, `${binary}-amd64.zip`));
};

describe('repair.yml on a chain halted at an upgrade (simulated)', () => {
  let fleet: Fleet;
  let host: FleetHost;
  let server: TestServer;
  let tampered = true;
  let upgradeHeight: number;
  let zips: Record<string, Buffer>;
  let home: string;

  beforeAll(async () => {
    fleet = await createFleet(1, { blocksPerSecond: 10, snapshotLagBlocks: 0, modelLoadSeconds: 1 });
    host = fleet.hosts[0];
    home = join(host.deployDir, '.inference');
    zips = { inferenced: await releaseZip(fleet.dir, 'inferenced'), 'decentralized-api': await releaseZip(fleet.dir, 'decentralized-api') };
    server = await startServer((req, res) => {
      const name = /\/(inferenced|decentralized-api)-amd64\.zip$/.exec(req.url ?? '')?.[1];
      if (!name) return res.writeHead(404).end();
      // the first node download is tampered with on the way: its bytes no longer match the published sha256
      const body = name === 'inferenced' && tampered ? Buffer.concat([zips[name], Buffer.from('evil')]) : zips[name];
      res.writeHead(200, { 'content-type': 'application/zip' }).end(body);
    });
    const url = (b: string) => `${server.url}/release%2Fv0.2.5/${b}-amd64.zip?checksum=sha256:${sha256(zips[b])}`;
    const info = JSON.stringify({ binaries: { 'linux/amd64': url('inferenced') }, api_binaries: { 'linux/amd64': url('decentralized-api') } });
    const status = await eventually(
      () => getJson(host.url(26657, '/status')),
      (s) => Number(s.result.sync_info.latest_block_height) > 0,
      'rpc',
    );
    upgradeHeight = Number(status.result.sync_info.latest_block_height) + 20;
    writeScenario(host.stateDir, { upgrade: { name: 'v0.2.5', height: upgradeHeight, info } });
    // the 20 blocks to the upgrade height: 2 s of chain time
    advance(host.stateDir, 3);
    await eventually(
      () => readFile(join(home, 'data/upgrade-info.json'), 'utf8'),
      (t) => t.length > 0,
      'the chain to halt',
    );
    // Cosmovisor's backups beside data/: only data-backup-* dirs may go, and the newest stays
    for (const d of ['data-backup-2025-01-01', 'data-backup-2025-03-01', 'data-backup-2025-02-01'])
      await mkdir(join(home, d, 'application.db'), { recursive: true });
    await writeFile(join(home, 'data-backup-notes.txt'), 'keep me');
  });
  afterAll(async () => {
    await server?.close();
    await fleet?.cleanup();
  });

  it('diagnoses the halt with its evidence and refuses a tampered download', async () => {
    const res = await fleet.run(PLAYBOOK, FAST);
    expect(res.code).not.toBe(0);
    const results = taskResults(res.events);
    const diag = results.find((e) => e.task.endsWith('Diagnose'))!;
    const kinds = (diag.result.diagnoses as { kind: string }[]).map((d) => d.kind);
    expect(kinds).toContain('halted_at_upgrade');
    expect(String(diag.result.msg)).toContain(`UPGRADE "v0.2.5" NEEDED at height: ${upgradeHeight}`);
    expect(String(diag.result.msg)).toContain('no cosmovisor/upgrades/v0.2.5/bin/inferenced');
    const place = results.find((e) => e.task.endsWith('Place the upgrade binaries (sha256 verified)'))!;
    expect(place.status).toBe('failed');
    expect(String(place.result.msg)).toMatch(/inferenced: download of .* refused/);
    await expect(access(join(home, 'cosmovisor/upgrades/v0.2.5/bin/inferenced'))).rejects.toThrow();
  });

  it('places verified binaries, restarts node and api, the height moves past the upgrade, old backups pruned', async () => {
    tampered = false;
    const res = await fleet.run(PLAYBOOK, FAST);
    const results = taskResults(res.events);
    expect(res.code, JSON.stringify(results.filter((r) => r.status === 'failed'))).toBe(0);
    const placed = results.find((e) => e.task.endsWith('Place the upgrade binaries (sha256 verified)'))!;
    expect(String(placed.result.msg)).toContain(`download sha256 ${sha256(zips.inferenced)} verified`);
    const node = await readFile(join(home, 'cosmovisor/upgrades/v0.2.5/bin/inferenced'), 'utf8');
    expect(node).toContain('inferenced v0.2.5');
    const api = join(host.deployDir, '.dapi/cosmovisor/upgrades/v0.2.5/bin/decentralized-api');
    expect(await readFile(api, 'utf8')).toContain('decentralized-api v0.2.5');
    const restarted = results.find((e) => e.task.endsWith('Restart node and api past the upgrade height'))!;
    expect(restarted.status).toBe('changed');
    expect(Number(restarted.result.height)).toBeGreaterThanOrEqual(upgradeHeight);
    const status = await getJson(host.url(26657, '/status'));
    expect(Number(status.result.sync_info.latest_block_height)).toBeGreaterThanOrEqual(upgradeHeight);
    const left = (await readdir(home)).filter((d) => d.startsWith('data'));
    expect(left.sort()).toEqual(['data', 'data-backup-2025-03-01', 'data-backup-notes.txt']);
  });

  it('a second run finds nothing to repair and changes nothing', async () => {
    const again = await fleet.run(PLAYBOOK, { ...FAST, repair_min_free_gb: 0 });
    expect(again.code).toBe(0);
    const results = taskResults(again.events);
    expect(String(results.find((e) => e.task.endsWith('Diagnose'))!.result.msg)).toBe('healthy: nothing to repair');
    expect(results.filter((e) => e.status === 'changed')).toEqual([]);
  });
});
