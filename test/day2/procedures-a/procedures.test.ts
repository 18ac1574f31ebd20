// Day-2 procedures of issue 13 (NATS max age, disk, backup/restore) on two simulated full
// servers built once: each procedure's fleet run, its check mode (the hosts' deploy dirs snapshotted before and
// after) and its refusals.
import { mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { decryptArchive, unpackBackup } from '../../../lib/gonka/backup-archive.js';
import { createKeyring, saveKey } from '../../../sim/gonka/keyring.mjs';
import { newAccountKey } from '../../../sim/gonka/keys.mjs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changedEntries, snapshotTree } from '../../e2e/sim-fleet.js';
import {
  createFleet,
  eventually,
  getJson,
  type Fleet,
  type FleetHost,
  failuresOf as failures,
  operatorReport as report,
  tasksEndingWith as tasks,
} from '../update/sim-fleet.js';

const playbook = (name: string) => join(import.meta.dirname, '../../../playbooks', `${name}.yml`);

const streamAge = async (h: FleetHost, stream: string): Promise<number> =>
  JSON.parse(await readFile(join(h.deployDir, '.dapi/.nats/jetstream/$G/streams', stream, 'meta.inf'), 'utf8')).config.max_age;

describe('day-2 procedures (issue 13, part a) on two simulated servers', () => {
  let fleet: Fleet;
  const snapshots = () => Promise.all(fleet.hosts.map((h) => snapshotTree(h.deployDir)));
  // the paths whose entry differs between two snapshots of the fleet
  const changedPaths = (before: Map<string, string>[], after: Map<string, string>[]) =>
    changedEntries(
      fleet.hosts.map((h) => h.name),
      before,
      after,
    );

  beforeAll(async () => {
    // streams an api older than v0.2.6 created: no max age
    fleet = await createFleet(2, { natsStreamMaxAgeSeconds: 0 }, { ssh: true });
  });
  afterAll(() => fleet?.cleanup());

  describe('nats.yml', () => {
    it('--check shows the current max age and what would change, and changes nothing', async () => {
      const before = await snapshots();
      const res = await fleet.run(playbook('nats'), {}, { check: true });
      expect(res.code, failures(res)).toBe(0);
      const current = tasks(res.events, 'Current NATS stream max age');
      expect(current.map((e) => e.host)).toEqual(['gpu1', 'gpu2']);
      expect(report(current[0])).toContain('txs_to_send: max age forever (wanted 24h)');
      const plan = tasks(res.events, 'NATS stream max age set');
      expect(plan.every((e) => e.status === 'changed')).toBe(true);
      expect(report(plan[0])).toContain('would set txs_to_observe max age forever → 24h');
      expect(changedPaths(before, await snapshots())).toEqual([]);
      expect(await streamAge(fleet.hosts[0], 'txs_to_send')).toBe(0);
    });

    it('sets 24 h on both streams of every host, read back; a second run changes nothing', async () => {
      const res = await fleet.run(playbook('nats'));
      expect(res.code, failures(res)).toBe(0);
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
        // the api is up again (and done writing its start-up state) before the next procedure snapshots the host
        await eventually(() => getJson(h.url(9200, '/admin/v1/nodes')), Array.isArray, 'the api answering again');
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
      expect(res.code, failures(res)).toBe(0);
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
      expect(changedPaths(before, await snapshots())).toEqual([]);
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
      expect(res.code, failures(res)).toBe(0);
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

  describe('backup.yml and restore.yml', () => {
    const PASSPHRASE = 'a long passphrase nobody guesses';
    const KEYRING_PASSWORD = 'correct-horse-battery-staple';
    let dir: string;
    let passFile: string;
    let archive: string;
    const status = async (h: FleetHost) => (await (await fetch(h.url(26657, '/status'))).json()).result;

    beforeAll(async () => {
      dir = join(fleet.dir, 'backups');
      passFile = join(fleet.dir, 'passphrase');
      await writeFile(passFile, `${PASSPHRASE}\n`, { mode: 0o600 });
      // the keys role's server keyring: the warm key, and (quick workflow) the cold key beside it
      for (const h of fleet.hosts) {
        const home = join(h.deployDir, '.inference');
        createKeyring(home, KEYRING_PASSWORD);
        saveKey(home, KEYRING_PASSWORD, `${h.name}-warm`, newAccountKey());
        saveKey(home, KEYRING_PASSWORD, `${h.name}-cold`, newAccountKey());
      }
    });

    it('--check says what the archive would hold and writes nothing', async () => {
      const before = await snapshots();
      const res = await fleet.run(playbook('backup'), { backup_dir: dir, backup_passphrase_file: passFile }, { check: true });
      expect(res.code, failures(res)).toBe(0);
      const [one] = tasks(res.events, 'Back up the node identity to an encrypted archive');
      expect(report(one)).toMatch(/^would write .*\/gpu1-.*\.nopbackup \(0600\)\nnode id [0-9a-f]{40}, consensus key \S+\n\d+ files: /);
      expect(report(one)).toContain('.inference/config/node_key.json');
      expect(report(one)).toContain("left out: the cold key 'gpu1-cold'");
      await expect(stat(dir)).rejects.toThrow(/ENOENT/);
      expect(changedPaths(before, await snapshots())).toEqual([]);
    });

    it('writes one encrypted 0600 archive per host that holds no secret in clear and never the cold key', async () => {
      const res = await fleet.run(playbook('backup'), { backup_dir: dir, backup_passphrase_file: passFile, backup_api_state: true, backup_kdf_cost: 14 });
      expect(res.code, failures(res)).toBe(0);
      const [one] = tasks(res.events, 'Back up the node identity to an encrypted archive');
      archive = String(one.result.archive);
      expect((await stat(archive)).mode & 0o777).toBe(0o600);
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
      expect(report(one)).toContain('.dapi/gonka.db');
      const bytes = await readFile(archive);
      expect(bytes.includes(Buffer.from(KEYRING_PASSWORD))).toBe(false);
      const { files, manifest } = unpackBackup(await decryptArchive(bytes, PASSPHRASE));
      expect(manifest.node_id).toBe((await status(fleet.hosts[0])).node_info.id);
      expect(files.map((f) => f.path)).toEqual(
        expect.arrayContaining(['config.env', '.tmkms/secrets/priv_validator_key.softsign', '.inference/config/node_key.json']),
      );
      expect(files.some((f) => f.path.endsWith('gpu1-cold.info') || f.path.endsWith('.mnemonic'))).toBe(false);
      expect(files.find((f) => f.path === 'config.env')!.content.toString()).toContain('KEYRING_PASSWORD');
      // the api is running again (it was paused for the copy of its database)
      expect((await fleet.sh(fleet.hosts[0], 'docker unpause api')).stderr).toMatch(/is not paused/);
    });

    it('restore refuses a wrong passphrase, an altered archive, a running old server and another identity, writing nothing', async () => {
      const gpu2 = fleet.hosts[1];
      const wrong = join(fleet.dir, 'wrong');
      await writeFile(wrong, 'not the passphrase at all\n');
      const tampered = join(fleet.dir, 'tampered.nopbackup');
      const bytes = await readFile(archive);
      bytes[bytes.length - 100] ^= 0x20;
      await writeFile(tampered, bytes);
      const before = await snapshotTree(gpu2.deployDir);
      const cases: [Record<string, unknown>, RegExp][] = [
        [
          { backup_archive: archive, backup_passphrase_file: wrong, old_server_stopped: true },
          /wrong passphrase, or the archive was altered.*nothing was written/,
        ],
        [{ backup_archive: tampered, backup_passphrase_file: passFile, old_server_stopped: true }, /authentication tag does not match.*nothing was written/],
        [{ backup_archive: archive, backup_passphrase_file: passFile }, /double-sign.*set old_server_stopped=true; nothing was written/],
        [{ backup_archive: archive, backup_passphrase_file: passFile, old_server_stopped: true }, /already has another identity.*set overwrite_identity=true/],
      ];
      for (const [vars, why] of cases) {
        const res = await fleet.run(playbook('restore'), vars, { limit: 'gpu2' });
        expect(res.code).not.toBe(0);
        const [failed] = tasks(res.events, 'Restore the node identity from the archive');
        expect(failed.status).toBe('failed');
        expect(String(failed.result.msg)).toMatch(why);
      }
      expect(await snapshotTree(gpu2.deployDir)).toEqual(before);
    });

    it('restores onto another server: files written, tmkms, node and api restarted, node id and consensus key verified', async () => {
      const [gpu1, gpu2] = fleet.hosts;
      const origin = await status(gpu1);
      expect((await status(gpu2)).node_info.id).not.toBe(origin.node_info.id);
      const vars = {
        backup_archive: archive,
        backup_passphrase_file: passFile,
        old_server_stopped: true,
        overwrite_identity: true,
        restore_poll_interval: 0.2,
      };
      const check = await fleet.run(playbook('restore'), vars, { check: true, limit: 'gpu2' });
      expect(check.code, failures(check)).toBe(0);
      expect(report(tasks(check.events, 'Restore the node identity from the archive')[0])).toContain(
        'would write .tmkms/secrets/priv_validator_key.softsign (600)',
      );
      const res = await fleet.run(playbook('restore'), vars, { limit: 'gpu2' });
      expect(res.code, failures(res)).toBe(0);
      expect(tasks(res.events, 'Restart tmkms, node and api on the restored identity')[0].status).toBe('changed');
      const [verified] = tasks(res.events, 'Verify the node id and consensus key');
      expect(String(verified.result.msg)).toContain(`node id ${origin.node_info.id} and consensus key ${origin.validator_info.pub_key.value} unchanged`);
      const now = await status(gpu2);
      expect(now.node_info.id).toBe(origin.node_info.id);
      expect(now.validator_info.pub_key.value).toBe(origin.validator_info.pub_key.value);
      const again = await fleet.run(playbook('restore'), vars, { limit: 'gpu2' });
      const [second] = tasks(again.events, 'Restore the node identity from the archive');
      expect(second.status, report(second)).toBe('ok');
    });
  });
});
