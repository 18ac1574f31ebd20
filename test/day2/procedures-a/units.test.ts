import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BackupArchiveError, decryptArchive, encryptArchive, packBackup, unpackBackup } from '../../../lib/gonka/backup-archive.js';
import { backupPassphrase } from '../../../lib/gonka/backup-passphrase.js';
import { nodeIdOf } from '../../../lib/gonka/node-id.js';
import { backupDate, type DataBackup, oldestFirst, parseBackupListing, planPrune } from '../../../lib/gonka/data-backups.js';
import { applicationDbLine, pruningAdvice } from '../../../roles/disk/application-db.js';
import { durationNs, formatMaxAge, MaxAgeSchema, natsCommand, parseStreamInfo } from '../../../lib/gonka/nats-streams.js';

describe('NATS stream max age', () => {
  it('reads NATS CLI durations in nanoseconds and writes them back short', () => {
    expect(durationNs('24h')).toBe(86_400e9);
    expect(durationNs('1h30m')).toBe(5_400e9);
    expect(durationNs('7d')).toBe(7 * 86_400e9);
    expect(formatMaxAge(0)).toBe('forever');
    expect(formatMaxAge(86_400e9)).toBe('24h');
    expect(formatMaxAge(7 * 86_400e9)).toBe('7d');
    expect(formatMaxAge(90e9)).toBe('90s');
    expect(() => durationNs('24 hours')).toThrow(/not a duration/);
  });

  it('refuses a max age that is not a positive duration', () => {
    expect(MaxAgeSchema.safeParse('24h').success).toBe(true);
    expect(MaxAgeSchema.safeParse('0s').success).toBe(false);
    expect(MaxAgeSchema.safeParse('24h; rm -rf /').success).toBe(false);
  });

  it('parses `nats stream info --json` and says what is wrong with anything else', () => {
    const info = parseStreamInfo(JSON.stringify({ config: { name: 'txs_to_send', max_age: 0, storage: 'file' }, state: { messages: 3, bytes: 10 } }));
    expect(info).toMatchObject({ config: { name: 'txs_to_send', max_age: 0 } });
    expect(parseStreamInfo('nats: error: stream not found')).toEqual({ error: expect.stringContaining('printed no JSON') });
    expect(parseStreamInfo('{"config":{}}')).toEqual({ error: expect.stringContaining('unexpected JSON') });
  });

  it("runs the CLI in the api container's network namespace, every argument quoted", () => {
    expect(natsCommand('natsio/nats-box:0.14.5', 'api', ['stream', 'info', 'txs_to_send', '--json'])).toBe(
      'docker run --rm --network container:api natsio/nats-box:0.14.5 nats stream info txs_to_send --json --server nats://127.0.0.1:4222',
    );
  });
});

const backup = (name: string, mtime = 0, bytes = 1): DataBackup => ({ name, path: `/d/.inference/${name}`, bytes, mtime });

describe("Cosmovisor's data-backup dirs", () => {
  it('orders by the unpadded date in the name, not the name: 2026-10-1 is newer than 2026-9-30', () => {
    const names = oldestFirst([backup('data-backup-2026-10-1'), backup('data-backup-2026-9-30'), backup('data-backup-2025-12-31')]).map((b) => b.name);
    expect(names).toEqual(['data-backup-2025-12-31', 'data-backup-2026-9-30', 'data-backup-2026-10-1']);
  });

  it('orders a name without a date by its modification time', () => {
    const nov2 = Date.UTC(2026, 10, 2) / 1000;
    const names = oldestFirst([backup('data-backup-2026-11-5'), backup('data-backup-manual', nov2), backup('data-backup-2026-11-1')]).map((b) => b.name);
    expect(names).toEqual(['data-backup-2026-11-1', 'data-backup-manual', 'data-backup-2026-11-5']);
  });

  it('keeps the newest N and removes only older backups', () => {
    const all = ['data-backup-2026-7-2', 'data-backup-2026-8-13', 'data-backup-2026-11-28'].map((n) => backup(n));
    const plan = planPrune(all, 2);
    expect(plan.remove.map((b) => b.name)).toEqual(['data-backup-2026-7-2']);
    expect(plan.keep.map((b) => b.name)).toEqual(['data-backup-2026-8-13', 'data-backup-2026-11-28']);
    expect(planPrune(all, 5).remove).toEqual([]);
  });

  it('parses the listing, dropping lines that are not a backup', () => {
    const out = '1700000000\t4096\tdata-backup-2026-11-2\nnoise\n1700000000\tx\tdata-backup-bad\n1700000001\t10\tdata\n';
    expect(parseBackupListing('/d/.inference', out)).toEqual([
      { name: 'data-backup-2026-11-2', path: '/d/.inference/data-backup-2026-11-2', bytes: 4096, mtime: 1700000000 },
    ]);
    expect(backupDate('data-backup-2026-11-2')).toBe(20261102);
  });
});

describe('application.db report', () => {
  it('measures the growth against the copy in the newest backup', () => {
    const now = Date.UTC(2026, 10, 30) / 1000;
    const line = applicationDbLine(120e9, { backup: backup('data-backup-2026-11-20'), bytes: 100e9 }, now);
    expect(line).toBe('application.db 120 GB: +20.0 GB since data-backup-2026-11-20 (10 days, +2.0 GB/day)');
    expect(applicationDbLine(5e9, undefined, now)).toContain('no data-backup holds an earlier copy');
  });

  it("says which pruning settings differ from the reference's", () => {
    const good = 'pruning = "custom"\npruning-keep-recent = "20000"\npruning-interval = "512"\n[api]\nenable = true\n';
    expect(pruningAdvice(good)).toBeUndefined();
    const advice = pruningAdvice('pruning = "default"\npruning-keep-recent = "0"\n[state-sync]\npruning-interval = "512"\n');
    expect(advice).toContain('app.toml has pruning = default, pruning-keep-recent = 0, pruning-interval = (unset)');
  });
});

describe('backup archive', () => {
  const KDF = { N: 2 ** 14, r: 8, p: 1 };
  const files = [{ path: '.tmkms/secrets/priv_validator_key.softsign', mode: 0o600, content: Buffer.from('c2VlZA==') }];
  const manifest = { host: 'gpu1', created: '2026-11-30T00:00:00Z', node_id: 'ab'.repeat(20), consensus_key: 'KEY' };

  it('opens with its passphrase and holds the files and the public identity', async () => {
    const archive = await encryptArchive(packBackup(manifest, files), 'correct horse battery', KDF);
    expect(archive.includes(Buffer.from('c2VlZA=='))).toBe(false);
    const { manifest: m, files: f } = unpackBackup(await decryptArchive(archive, 'correct horse battery'));
    expect(m).toMatchObject({ ...manifest, files: [files[0].path] });
    expect(f).toEqual(files);
  });

  it('refuses a wrong passphrase, an altered byte in the body or the header, and a truncated archive', async () => {
    const archive = await encryptArchive(packBackup(manifest, files), 'correct horse battery', KDF);
    await expect(decryptArchive(archive, 'wrong horse battery')).rejects.toThrow(/wrong passphrase, or the archive was altered/);
    const body = Buffer.from(archive);
    body[body.length - 20] ^= 1;
    await expect(decryptArchive(body, 'correct horse battery')).rejects.toThrow(/authentication tag does not match/);
    const header = Buffer.from(archive.toString('latin1').replace('"r":8', '"r":9'), 'latin1');
    await expect(decryptArchive(header, 'correct horse battery')).rejects.toThrow(BackupArchiveError);
    await expect(decryptArchive(archive.subarray(0, 40), 'correct horse battery')).rejects.toThrow(BackupArchiveError);
    await expect(decryptArchive(Buffer.from('PK\x03\x04'), 'x')).rejects.toThrow(/not a nop backup archive/);
  });

  it('refuses an archive naming a path outside the deploy dir', async () => {
    const evil = packBackup(manifest, [{ path: '../../etc/cron.d/x', mode: 0o644, content: Buffer.from('x') }]);
    expect(() => unpackBackup(evil)).toThrow(/outside the deploy dir/);
  });

  it('never takes the passphrase from the command line', async () => {
    expect(await backupPassphrase({ backup_passphrase: 'p' }, ['nop', 'run', 'backup.yml', '-e', 'backup_passphrase=hunter2hunter2'])).toEqual({
      error: expect.stringContaining('never on the command line'),
    });
    expect(await backupPassphrase({ backup_passphrase: 'from the prompt' }, ['nop', 'run', 'backup.yml'])).toBe('from the prompt');
    expect(await backupPassphrase({}, [])).toEqual({ error: expect.stringContaining('backup_passphrase_file') });
  });

  it("computes CometBFT's node id from node_key.json", () => {
    // the ed25519 key of seed 0…0 has public key 3b6a27bc…; its id is the first 20 bytes of the sha256 of that
    const seed = Buffer.alloc(32);
    const id = nodeIdOf(JSON.stringify({ priv_key: { type: 'tendermint/PrivKeyEd25519', value: seed.toString('base64') } }));
    const pub = Buffer.from('3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29', 'hex');
    expect(id).toBe(createHash('sha256').update(pub).digest().subarray(0, 20).toString('hex'));
  });
});
