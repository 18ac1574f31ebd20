import { posix } from 'node:path';
import { shellJoin } from '../transport/shell-quote.js';

/**
 * Cosmovisor's copies of a daemon's data/ before each upgrade: `<home>/data-backup-<Y>-<M>-<D>` (cosmovisor
 * formats the date `%d-%d-%d`, unpadded, so `2026-10-1` is newer than `2026-9-30` though it sorts before it).
 * They are the only thing on a node that is safe to delete (reference gonka-operations.md §15).
 */
export interface DataBackup {
  /** the directory's name, `data-backup-…` */
  name: string;
  /** absolute path on the host */
  path: string;
  bytes: number;
  /** modification time, seconds since the epoch (the order of names without a date) */
  mtime: number;
}

const NAME = /^data-backup-[^/\s]+$/;
const DATED = /^data-backup-(\d{4})-(\d{1,2})-(\d{1,2})$/;

/** The backup's date from its name, as a sortable number (YYYYMMDD), or undefined for another name. */
export const backupDate = (name: string): number | undefined => {
  const m = DATED.exec(name);
  return m ? Number(m[1]) * 10_000 + Number(m[2]) * 100 + Number(m[3]) : undefined;
};

const dayOf = (b: DataBackup): number => {
  const d = backupDate(b.name);
  if (d !== undefined) return d;
  const t = new Date(b.mtime * 1000);
  return t.getUTCFullYear() * 10_000 + (t.getUTCMonth() + 1) * 100 + t.getUTCDate();
};

/** Oldest first: by the date in the name (the day cosmovisor made it), then by modification time. */
export const oldestFirst = (backups: readonly DataBackup[]): DataBackup[] => [...backups].sort((a, b) => dayOf(a) - dayOf(b) || a.mtime - b.mtime);

/** Which backups go to keep the newest `keep` (nothing else is ever a candidate). */
export const planPrune = (backups: readonly DataBackup[], keep: number): { keep: DataBackup[]; remove: DataBackup[] } => {
  const ordered = oldestFirst(backups);
  const cut = Math.max(0, ordered.length - keep);
  return { remove: ordered.slice(0, cut), keep: ordered.slice(cut) };
};

/**
 * Lists `<home>/data-backup-*` directories (never a symlink), one `mtime<TAB>bytes<TAB>name` line each. With
 * `sizes` off it skips du, which reads every file of a ~100 GB tree.
 */
export const listBackupsScript = (home: string, sizes = true): string =>
  `cd ${shellJoin([home])} 2>/dev/null || exit 0
for d in data-backup-*; do
  [ -d "$d" ] && [ ! -L "$d" ] || continue
  printf '%s\\t%s\\t%s\\n' "$(stat -c %Y -- "$d")" "${sizes ? '$(du -sb -- "$d" | cut -f1)' : '0'}" "$d"
done`;

/** The listing script's output for one home. */
export const parseBackupListing = (home: string, stdout: string): DataBackup[] =>
  stdout
    .split('\n')
    .map((line) => line.split('\t'))
    .filter(([mtime, bytes, name]) => name !== undefined && NAME.test(name) && /^\d+$/.test(mtime) && /^\d+$/.test(bytes))
    .map(([mtime, bytes, name]) => ({ name, path: posix.join(home, name), bytes: Number(bytes), mtime: Number(mtime) }));
