import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { cronJobLine, cronJobName } from '../cron/cron-entry.js';
import { applyJob, nopEntries, readCrontab, writeCrontab } from '../cron/crontab.js';
import { defaultRunLockFile } from '../cron/run-lock.js';
import { OptionError } from './extra-vars.js';

export type CronAction = 'install' | 'list' | 'remove';

export interface CronOptions {
  /** the playbook (install, remove) */
  playbook?: string;
  inventory?: string[];
  /** install: 15m, 1h, 1d */
  every?: string;
  lockFile?: string;
  logFile?: string;
  maxLogBytes?: number;
  /** the nop executable the entry runs; default: this one */
  nop?: string;
  /** environment for crontab (tests put a crontab shim first on PATH) */
  env?: NodeJS.ProcessEnv;
  out?: (line: string) => void;
}

const defaultLog = (): string => join(homedir(), '.nop', 'log', 'cron.jsonl');
const defaultNop = (): string => resolve(process.argv[1] ?? 'nop');

const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) throw new OptionError(`nop cron: ${what} is required`);
  return value;
};

const jobName = (opts: CronOptions): string => cronJobName(resolve(need(opts.playbook, 'a playbook')), need(opts.inventory, '-i INVENTORY').map((i) => resolve(i)));

/** `nop cron install|list|remove`: a scheduled, locked, logged playbook run in the user's crontab. */
export const cronCommand = async (action: CronAction, opts: CronOptions): Promise<number> => {
  const env = opts.env ?? process.env;
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const lines = await readCrontab(env);
  if (action === 'list') {
    for (const e of nopEntries(lines)) out(`${e.name}\n  ${e.line}`);
    return 0;
  }
  const name = jobName(opts);
  if (action === 'remove') {
    const next = applyJob(lines, name, undefined);
    if (next.length !== lines.length) await writeCrontab(next, env);
    out(next.length !== lines.length ? `removed: ${name}` : `no entry: ${name}`);
    return 0;
  }
  const lockFile = opts.lockFile ?? defaultRunLockFile();
  const logFile = opts.logFile ?? defaultLog();
  const line = cronJobLine({
    playbook: resolve(opts.playbook!),
    inventories: opts.inventory!.map((i) => resolve(i)),
    every: need(opts.every, '--every'),
    nop: opts.nop ?? defaultNop(),
    lockFile,
    logFile,
    maxLogBytes: opts.maxLogBytes ?? 10 * 1024 * 1024,
  });
  // cron's shell neither creates the lock's nor the log's directory
  await Promise.all([mkdir(dirname(lockFile), { recursive: true }), mkdir(dirname(logFile), { recursive: true })]);
  const next = applyJob(lines, name, line);
  const changed = next.join('\n') !== lines.join('\n');
  if (changed) await writeCrontab(next, env);
  out(`${changed ? 'installed' : 'unchanged'}: ${name}\n  ${line}`);
  return 0;
};
