import pLimit from 'p-limit';
import { selectInventoryHosts } from '../day2/inventory-hosts.js';
import { writePrometheusFile } from '../day2/prometheus.js';
import { hostReport, renderStatusJson, renderStatusText, type HostReport } from '../day2/status-report.js';
import type { ConnectOptions } from '../transport/connect.js';
import { OptionError } from './extra-vars.js';
import { createKnownHostsStore } from '../transport/known-hosts-store.js';
import { NoHostsError } from '../inventory/index.js';

export interface StatusCommandOptions {
  inventory: string[];
  limit?: string;
  json?: boolean;
  /** true (default interval) or seconds between refreshes */
  watch?: boolean | string | number;
  prometheus?: string;
  forks?: number;
  connect?: ConnectOptions;
  out?: (text: string) => void;
  /** stops --watch (Ctrl-C) */
  signal?: AbortSignal;
}

/** Exit code when any check FAILs: cron and monitoring act on it. */
export const STATUS_FAIL_EXIT = 2;
const DEFAULT_WATCH_SECONDS = 10;

const watchSeconds = (watch: StatusCommandOptions['watch']): number | undefined => {
  if (watch === undefined || watch === false) return undefined;
  if (watch === true) return DEFAULT_WATCH_SECONDS;
  const n = Number(watch);
  if (!Number.isFinite(n) || n <= 0) throw new OptionError(`--watch expects a positive number of seconds, got "${watch}"`);
  return n;
};

const collect = async (opts: StatusCommandOptions): Promise<HostReport[]> => {
  const hosts = await selectInventoryHosts({ inventory: opts.inventory, limit: opts.limit });
  if (hosts.length === 0)
    throw new NoHostsError(opts.limit === undefined ? 'the inventory has no host' : `--limit ${opts.limit} matches no host of the inventory`);
  const limit = pLimit(opts.forks ?? 5);
  // known_hosts read once per round, shared by every host of it
  const connect = { knownHosts: createKnownHostsStore(), ...opts.connect };
  return Promise.all(hosts.map((h) => limit(() => hostReport(h, connect))));
};

const once = async (opts: StatusCommandOptions, out: (t: string) => void): Promise<number> => {
  const reports = await collect(opts);
  out(opts.json ? `${renderStatusJson(reports)}\n` : renderStatusText(reports));
  if (opts.prometheus) await writePrometheusFile(opts.prometheus, reports);
  return reports.some((r) => r.level === 'FAIL') ? STATUS_FAIL_EXIT : 0;
};

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

/** `nop status`: per-host health; exit 2 when any check FAILs. With --watch, refreshes until interrupted. */
export const statusCommand = async (opts: StatusCommandOptions): Promise<number> => {
  const out = opts.out ?? ((t: string) => void process.stdout.write(t));
  const every = watchSeconds(opts.watch);
  if (every === undefined) return once(opts, out);
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.on('SIGINT', onSigint);
  opts.signal?.addEventListener('abort', onSigint, { once: true });
  let code = 0;
  try {
    while (!abort.signal.aborted) {
      const clear = process.stdout.isTTY && !opts.json && !opts.out ? '\x1b[2J\x1b[H' : '';
      code = await once(opts, (t) => out(`${clear}${new Date().toISOString()}\n${t}`));
      await sleep(every * 1000, abort.signal);
    }
    return code;
  } finally {
    process.off('SIGINT', onSigint);
  }
};
