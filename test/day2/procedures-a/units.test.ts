import { describe, expect, it } from 'vitest';
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
