import type { Heading } from './slope.js';

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** Bytes in SI units, as `hf download` and `du -h --si` show them: 950 B, 12.4 MB, 63.2 GB. */
export const formatBytes = (bytes: number): string => {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || Math.abs(value) >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
};

/** A duration a person reads at a glance: < 1 s, 42 s, 7 min, 2.5 h. */
export const formatDuration = (seconds: number): string => {
  if (seconds < 1) return '< 1 s';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
};

/** ETA of a heading: estimated from the observed rate, "estimating" before there is one. */
export const formatEta = (heading: Heading, stalled = 'not progressing'): string => {
  if (heading.kind === 'estimating') return 'ETA estimating';
  if (heading.kind === 'stalled') return stalled;
  return `ETA ${formatDuration(heading.seconds)}`;
};

export interface Transfer {
  bytes: number;
  /** bytes of the whole transfer, when known */
  total?: number;
  /** false while more parts may still add to the total ("at least") */
  totalFinal: boolean;
}

/** `12.4 GB of 40.2 GB (31 %), 152 MB/s, ETA 3 min`, saying "at least" while the total can still grow. */
export const formatTransfer = (t: Transfer, heading: Heading): string => {
  const rate = heading.kind === 'arriving' ? `, ${formatBytes(heading.perSecond)}/s` : '';
  if (t.total === undefined || t.total <= 0) return `${formatBytes(t.bytes)}${rate}`;
  if (t.totalFinal) {
    const percent = Math.min(100, Math.floor((t.bytes * 100) / t.total));
    return `${formatBytes(t.bytes)} of ${formatBytes(t.total)} (${percent} %)${rate}, ${formatEta(heading)}`;
  }
  const eta = heading.kind === 'arriving' ? `ETA at least ${formatDuration(heading.seconds)}` : formatEta(heading);
  return `${formatBytes(t.bytes)} of at least ${formatBytes(t.total)}${rate}, ${eta}`;
};
