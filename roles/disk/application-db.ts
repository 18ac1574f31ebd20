import { formatBytes } from '../../lib/progress/format.js';
import { backupDate, type DataBackup } from '../../lib/gonka/data-backups.js';

const DAY = 86_400;

/** Seconds since the epoch of the day a backup was made (the date in its name, else its mtime). */
const backupTime = (b: DataBackup): number => {
  const d = backupDate(b.name);
  if (d === undefined) return b.mtime;
  return Date.UTC(Math.floor(d / 10_000), (Math.floor(d / 100) % 100) - 1, d % 100) / 1000;
};

/**
 * application.db's size and, measured against the copy in the newest data-backup (data/ as it was at the last
 * upgrade), how fast it grows.
 */
export const applicationDbLine = (bytes: number, baseline: { backup: DataBackup; bytes: number } | undefined, now: number): string => {
  const size = `application.db ${formatBytes(bytes)}`;
  if (!baseline) return `${size} (no data-backup holds an earlier copy to measure its growth against)`;
  const days = Math.max((now - backupTime(baseline.backup)) / DAY, 1);
  const grown = bytes - baseline.bytes;
  const sign = grown >= 0 ? '+' : '-';
  return `${size}: ${sign}${formatBytes(Math.abs(grown))} since ${baseline.backup.name} (${Math.round(days)} days, ${sign}${formatBytes(Math.abs(grown) / days)}/day)`;
};

const WANTED = { pruning: 'custom', 'pruning-keep-recent': '20000', 'pruning-interval': '512' } as const;

/** app.toml's pruning settings against the reference's (§15), as a line; undefined when they match. */
export const pruningAdvice = (appToml: string): string | undefined => {
  const top = appToml.split(/^\s*\[/m)[0];
  const value = (key: string) => new RegExp(`^\\s*${key}\\s*=\\s*"?([^"\\n]*)"?\\s*$`, 'm').exec(top)?.[1];
  const off = Object.entries(WANTED).filter(([k, want]) => value(k) !== want);
  if (off.length === 0) return undefined;
  const now = off.map(([k]) => `${k} = ${value(k) ?? '(unset)'}`).join(', ');
  return `app.toml has ${now}: the reference keeps application.db small with pruning = "custom", pruning-keep-recent = "20000", pruning-interval = "512" (binaries ≥ v0.2.10-post6), then a restart of node`;
};
