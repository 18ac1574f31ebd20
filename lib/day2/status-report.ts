import type { ConnectOptions } from '../transport/connect.js';
import { gatherHostStatus, type HostStatusData } from './host-status.js';
import { withTransport, type SelectedHost } from './inventory-hosts.js';
import { statusChecks, worstLevel, type Check, type Level } from './status-checks.js';
import { statusTarget } from './status-target.js';

export interface HostReport {
  host: string;
  level: Level;
  checks: Check[];
  data?: HostStatusData;
  /** the host could not be reached or read */
  error?: string;
}

/** Read and judge one host; an unreachable host is a FAIL, not an exception. */
export const hostReport = async (host: SelectedHost, connect: ConnectOptions = {}): Promise<HostReport> => {
  const target = statusTarget(host.name, host.vars);
  try {
    const data = await withTransport(host, connect, (t) => gatherHostStatus(t, target));
    const checks = statusChecks(data, { privateIp: target.privateIp });
    return { host: host.name, level: worstLevel(checks), checks, data };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    return {
      host: host.name,
      level: 'FAIL',
      checks: [{ id: 'reachable', name: 'reachable', level: 'FAIL', value: error, threshold: 'the host answers and its deploy dir exists' }],
      error,
    };
  }
};

const checkValue = (r: HostReport, id: string): string => r.checks.find((c) => c.id === id)?.value.split(' (')[0] ?? '-';

const pad = (rows: string[][]): string => {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
};

const mlSummary = (r: HostReport): string => {
  const nodes = r.checks.filter((c) => c.id.startsWith('ml_node:'));
  return nodes.length ? `${nodes.filter((c) => c.level === 'OK').length}/${nodes.length} ok` : '-';
};

/** One row per host, then each host's checks with their thresholds. */
export const renderStatusText = (reports: readonly HostReport[]): string => {
  const head = ['HOST', 'STATUS', 'HEIGHT', 'BEHIND', 'PEERS', 'EPOCH', 'MISS', 'ML NODES'];
  const rows = reports.map((r) => [
    r.host,
    r.level,
    checkValue(r, 'block_height'),
    checkValue(r, 'blocks_behind'),
    checkValue(r, 'peers'),
    checkValue(r, 'epoch').split(',')[0],
    checkValue(r, 'miss_rate'),
    mlSummary(r),
  ]);
  const details = reports.map((r) =>
    [`\n${r.host}: ${r.level}`, ...r.checks.map((c) => `  [${c.level.padEnd(4)}] ${c.name}: ${c.value}  (${c.threshold})`)].join('\n'),
  );
  return `${pad([head, ...rows])}\n${details.join('\n')}\n`;
};

export const renderStatusJson = (reports: readonly HostReport[]): string =>
  JSON.stringify(
    { hosts: reports.map(({ host, level, checks, error, data }) => ({ host, level, checks, ...(error ? { error } : {}), ...(data ? { data } : {}) })) },
    null,
    2,
  );
