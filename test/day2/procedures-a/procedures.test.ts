// Day-2 procedures of issue 13 (NATS max age, disk, backup/restore, seeds, upgrade pre-staging) on two simulated full
// servers built once: each procedure's fleet run, its check mode (the hosts' deploy dirs snapshotted before and
// after) and its refusals.
import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotTree } from '../../e2e/sim-fleet.js';
import { createFleet, taskResults, type Fleet, type FleetHost } from '../update/sim-fleet.js';

const playbook = (name: string) => join(import.meta.dirname, '../../../playbooks', `${name}.yml`);
// one result per host, in host order (hosts run in parallel)
const tasks = (events: Parameters<typeof taskResults>[0], suffix: string) =>
  taskResults(events)
    .filter((e) => e.task.endsWith(suffix))
    .sort((a, b) => a.host.localeCompare(b.host));
const report = (e: { result: Record<string, unknown> }) => ((e.result.operator_report as string[] | undefined) ?? []).join('\n');

const streamAge = async (h: FleetHost, stream: string): Promise<number> =>
  JSON.parse(await readFile(join(h.deployDir, '.dapi/.nats/jetstream/$G/streams', stream, 'meta.inf'), 'utf8')).config.max_age;

describe('day-2 procedures (issue 13, part a) on two simulated servers', () => {
  let fleet: Fleet;
  const snapshots = () => Promise.all(fleet.hosts.map((h) => snapshotTree(h.deployDir)));

  beforeAll(async () => {
    // streams an api older than v0.2.6 created: no max age
    fleet = await createFleet(2, { natsStreamMaxAgeSeconds: 0 });
  });
  afterAll(() => fleet?.cleanup());

  describe('nats.yml', () => {
    it('--check shows the current max age and what would change, and changes nothing', async () => {
      const before = await snapshots();
      const res = await fleet.run(playbook('nats'), {}, { check: true });
      expect(res.code).toBe(0);
      const current = tasks(res.events, 'Current NATS stream max age');
      expect(current.map((e) => e.host)).toEqual(['gpu1', 'gpu2']);
      expect(report(current[0])).toContain('txs_to_send: max age forever (wanted 24h)');
      const plan = tasks(res.events, 'NATS stream max age set');
      expect(plan.every((e) => e.status === 'changed')).toBe(true);
      expect(report(plan[0])).toContain('would set txs_to_observe max age forever → 24h');
      expect(await snapshots()).toEqual(before);
      expect(await streamAge(fleet.hosts[0], 'txs_to_send')).toBe(0);
    });

    it('sets 24 h on both streams of every host, read back; a second run changes nothing', async () => {
      const res = await fleet.run(playbook('nats'));
      expect(res.code).toBe(0);
      const set = tasks(res.events, 'NATS stream max age set');
      expect(set.map((e) => e.status)).toEqual(['changed', 'changed']);
      expect(report(set[1])).toContain('txs_to_send: max age forever → 24h (read back)');
      for (const h of fleet.hosts) for (const s of ['txs_to_send', 'txs_to_observe']) expect(await streamAge(h, s)).toBe(24 * 3600 * 1e9);
      const again = await fleet.run(playbook('nats'));
      expect(again.code).toBe(0);
      expect(tasks(again.events, 'NATS stream max age set').map((e) => e.status)).toEqual(['ok', 'ok']);
      expect(report(tasks(again.events, 'Current NATS stream max age')[0])).toContain('txs_to_observe: max age 24h (as wanted)');
    });

    it('refuses, saying why, when the api is not running', async () => {
      const h = fleet.hosts[1];
      expect((await fleet.sh(h, 'docker stop api')).code).toBe(0);
      try {
        const res = await fleet.run(playbook('nats'), { nats_stream_max_age: '48h' });
        expect(res.code).not.toBe(0);
        const failed = tasks(res.events, 'Current NATS stream max age').find((e) => e.host === 'gpu2')!;
        expect(failed.status).toBe('failed');
        expect(String(failed.result.msg)).toMatch(/cannot join network namespace of a non running container.*is the api container 'api' running/s);
        expect(await streamAge(h, 'txs_to_send')).toBe(24 * 3600 * 1e9);
      } finally {
        await fleet.sh(h, 'docker start api');
      }
    });
  });

  describe('disk.yml', () => {
    const put = async (h: FleetHost, rel: string, bytes: number) => {
      await mkdir(join(h.deployDir, rel, '..'), { recursive: true });
      await writeFile(join(h.deployDir, rel), Buffer.alloc(bytes));
    };
    const listing = async (h: FleetHost, home: string) => (await readdir(join(h.deployDir, home))).filter((n) => n.startsWith('data-backup')).sort();

    beforeAll(async () => {
      const [gpu1, gpu2] = fleet.hosts;
      // unpadded cosmovisor dates: 2026-10-1 is the newest though it sorts before 2026-9-30
      for (const [name, size] of [
        ['data-backup-2026-7-2', 3e6],
        ['data-backup-2026-9-30', 4e6],
        ['data-backup-2026-10-1', 5e6],
      ] as const)
        await put(gpu1, `.inference/${name}/application.db/000001.ldb`, size);
      await put(gpu1, '.inference/data/application.db/000001.ldb', 9e6);
      await symlink('/var/lib/elsewhere', join(gpu1.deployDir, '.inference/data-backup-link'));
      await put(gpu1, '.dapi/data-backup-2026-9-30/x', 100);
      await put(gpu2, '.inference/data-backup-2026-10-1/application.db/000001.ldb', 5e6);
    });

    it('--check lists what would go and how much returns, and changes nothing', async () => {
      const before = await snapshots();
      const res = await fleet.run(playbook('disk'), {}, { check: true });
      expect(res.code).toBe(0);
      const [usage1, usage2] = tasks(res.events, 'Chain data disk usage');
      const text = report(usage1);
      expect(text).toMatch(/keep \S+\/\.inference\/data-backup-2026-10-1 \(5\.0 MB\)/);
      expect(text).toMatch(/old {2}\S+\/\.inference\/data-backup-2026-7-2/);
      expect(text).toMatch(/old {2}\S+\/\.inference\/data-backup-2026-9-30/);
      expect(text).toMatch(/keep \S+\/\.dapi\/data-backup-2026-9-30/);
      expect(text).toMatch(/application\.db 9\.0 MB: \+4\.0 MB since data-backup-2026-10-1/);
      expect(text).toMatch(/removing the 2 old backup\(s\) returns 7\.0 MB/);
      expect(report(usage2)).toContain('no old data-backup to remove');
      const [prune1, prune2] = tasks(res.events, 'Prune Cosmovisor data-backup dirs to the newest');
      expect(prune1.status).toBe('changed');
      expect(String(prune1.result.msg)).toMatch(/^would remove .*data-backup-2026-7-2, .*data-backup-2026-9-30 \(7\.0 MB\)$/);
      expect(prune2.status).toBe('ok');
      expect(await snapshots()).toEqual(before);
    });

    it('refuses to delete without prune_data_backups=true, naming it; nothing is removed', async () => {
      const res = await fleet.run(playbook('disk'), {}, {});
      expect(res.code).not.toBe(0);
      const failed = tasks(res.events, 'Prune Cosmovisor data-backup dirs to the newest').find((e) => e.host === 'gpu1')!;
      expect(failed.status).toBe('failed');
      expect(String(failed.result.msg)).toContain('set prune_data_backups=true to remove them');
      expect(await listing(fleet.hosts[0], '.inference')).toEqual([
        'data-backup-2026-10-1',
        'data-backup-2026-7-2',
        'data-backup-2026-9-30',
        'data-backup-link',
      ]);
    });

    it('with prune_data_backups=true keeps the newest per home, removes only older data-backup dirs, and verifies', async () => {
      const res = await fleet.run(playbook('disk'), { prune_data_backups: true });
      expect(res.code).toBe(0);
      const [prune1, prune2] = tasks(res.events, 'Prune Cosmovisor data-backup dirs to the newest');
      expect(prune1.status).toBe('changed');
      expect(report(prune1)).toMatch(/removed \S+data-backup-2026-7-2\n.*removed \S+data-backup-2026-9-30\nkept .*data-backup-2026-10-1/s);
      expect(prune2.status).toBe('ok');
      const [gpu1, gpu2] = fleet.hosts;
      expect(await listing(gpu1, '.inference')).toEqual(['data-backup-2026-10-1', 'data-backup-link']);
      expect(await listing(gpu1, '.dapi')).toEqual(['data-backup-2026-9-30']);
      expect(await readdir(join(gpu1.deployDir, '.inference/data/application.db'))).toEqual(['000001.ldb']);
      expect(await listing(gpu2, '.inference')).toEqual(['data-backup-2026-10-1']);
    });
  });
});
