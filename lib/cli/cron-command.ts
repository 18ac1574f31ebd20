import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { cronJobLine, cronJobName, ScheduledValueError, type CronJobSpec } from '../cron/cron-entry.js';
import { applyJob, nopEntries, readCrontab, writeCrontab } from '../cron/crontab.js';
import { defaultRunLockFile } from '../cron/run-lock.js';
import { defaultSystemdTarget, installTimer, listTimers, removeTimer, systemdPresent, unitNameOf, type SystemdTarget } from '../cron/systemd-timer.js';
import { cronSchedule } from '../cron/schedule.js';
import { loadInventory } from '../inventory/index.js';
import { loadPlaybook } from '../runner/load-playbook.js';
import { RunError } from '../runner/run-error.js';
import { OptionError } from './extra-vars.js';

export type CronAction = 'install' | 'list' | 'remove';
export type Scheduler = 'auto' | 'cron' | 'systemd';

export interface CronOptions {
  /** the playbook (install, remove) */
  playbook?: string;
  inventory?: string[];
  /** install: 15m, 1h, 1d */
  every?: string;
  lockFile?: string;
  logFile?: string;
  maxLogBytes?: number;
  /** install: a systemd timer where systemd runs (auto, the default), or a crontab entry */
  scheduler?: Scheduler;
  /** where the timer units go (default /etc/systemd/system for root, ~/.config/systemd/user otherwise) */
  unitDir?: string;
  /** `systemctl --user` (default: unless root) */
  systemdUser?: boolean;
  /** the directory whose presence means systemd is the init system (tests point it elsewhere) */
  systemdRuntimeDir?: string;
  /** the nop executable the entry runs; default: this one */
  nop?: string;
  /** environment for crontab and systemctl (tests put shims first on PATH) */
  env?: NodeJS.ProcessEnv;
  out?: (line: string) => void;
}

// the schedule, checked before anything is read or written: `--every 7m` is a bad option (exit 5)
const scheduleOf = (every: string): string => {
  try {
    return cronSchedule(every);
  } catch (e) {
    throw new OptionError(`nop cron: ${(e as Error).message}`);
  }
};

// a job must be able to run: the playbook loads and validates, every inventory exists and parses
const checkJob = async (playbook: string, inventories: string[]): Promise<void> => {
  for (const inv of inventories) {
    if (!inv.includes(',') && !existsSync(inv)) throw new RunError(`nop cron: the inventory ${inv} could not be found`);
  }
  await loadPlaybook(playbook);
  await loadInventory(inventories, { playbookDir: dirname(resolve(playbook)) });
};

const defaultLog = (): string => join(homedir(), '.nop', 'log', 'cron.jsonl');
const defaultNop = (): string => resolve(process.argv[1] ?? 'nop');

const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) throw new OptionError(`nop cron: ${what} is required`);
  return value;
};

const jobName = (opts: CronOptions): string =>
  cronJobName(
    resolve(need(opts.playbook, 'a playbook')),
    need(opts.inventory, '-i INVENTORY').map((i) => resolve(i)),
  );

const systemdTarget = (opts: CronOptions, env: NodeJS.ProcessEnv): SystemdTarget => {
  const d = defaultSystemdTarget(env);
  return { unitDir: opts.unitDir ?? d.unitDir, user: opts.systemdUser ?? d.user, env };
};

const chooseScheduler = async (opts: CronOptions): Promise<'cron' | 'systemd'> => {
  const s = opts.scheduler ?? 'auto';
  if (s !== 'auto' && s !== 'cron' && s !== 'systemd') throw new OptionError(`nop cron: --scheduler expects cron, systemd or auto; got "${String(s)}"`);
  if (s !== 'auto') return s;
  return (await systemdPresent(opts.systemdRuntimeDir)) ? 'systemd' : 'cron';
};

const isMissingCommand = (e: unknown): boolean => (e as NodeJS.ErrnoException).code === 'ENOENT';

// a host with systemd may have no crontab(1) at all: that is no crontab, not an error
const crontabLines = async (env: NodeJS.ProcessEnv, required: boolean): Promise<string[] | undefined> => {
  try {
    return await readCrontab(env);
  } catch (e) {
    if (!required && isMissingCommand(e)) return undefined;
    throw e;
  }
};

const removeCronEntry = async (name: string, env: NodeJS.ProcessEnv): Promise<boolean> => {
  const lines = await crontabLines(env, false);
  if (!lines) return false;
  const next = applyJob(lines, name, undefined);
  if (next.length === lines.length) return false;
  await writeCrontab(next, env);
  return true;
};

const installCron = async (name: string, spec: CronJobSpec, env: NodeJS.ProcessEnv): Promise<{ changed: boolean; detail: string }> => {
  const lines = await crontabLines(env, false);
  if (!lines) throw new RunError('nop cron: crontab(1) is not installed here: install cron, or schedule with --scheduler systemd');
  const line = cronJobLine(spec);
  const next = applyJob(lines, name, line);
  const changed = next.join('\n') !== lines.join('\n');
  if (changed) await writeCrontab(next, env);
  return { changed, detail: line };
};

const list = async (opts: CronOptions, env: NodeJS.ProcessEnv, out: (l: string) => void): Promise<number> => {
  for (const e of nopEntries((await crontabLines(env, false)) ?? [])) out(`${e.name}\n  crontab: ${e.line}`);
  for (const t of await listTimers(systemdTarget(opts, env))) out(`${t.name}\n  systemd: ${t.unit}.timer OnCalendar=${t.calendar}`);
  return 0;
};

/** `nop cron install|list|remove`: a scheduled, locked, logged playbook run (a systemd timer or a crontab entry). */
export const cronCommand = async (action: CronAction, opts: CronOptions): Promise<number> => {
  try {
    return await cron(action, opts);
  } catch (e) {
    // a path that no crontab line or unit file can hold is a bad option
    if (e instanceof ScheduledValueError) throw new OptionError(`nop cron: ${e.message}`);
    throw e;
  }
};

const cron = async (action: CronAction, opts: CronOptions): Promise<number> => {
  const env = opts.env ?? process.env;
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  if (action === 'list') return list(opts, env, out);
  const name = jobName(opts);
  const units = systemdTarget(opts, env);
  if (action === 'remove') {
    const removed = [(await removeCronEntry(name, env)) && 'crontab entry', (await removeTimer(units, name)) && 'systemd timer'].filter(Boolean);
    out(removed.length ? `removed (${removed.join(', ')}): ${name}` : `no entry: ${name}`);
    return 0;
  }
  scheduleOf(need(opts.every, '--every'));
  await checkJob(opts.playbook!, opts.inventory!);
  const lockFile = opts.lockFile ?? defaultRunLockFile();
  const logFile = opts.logFile ?? defaultLog();
  const spec: CronJobSpec = {
    playbook: resolve(opts.playbook!),
    inventories: opts.inventory!.map((i) => resolve(i)),
    every: need(opts.every, '--every'),
    nop: opts.nop ?? defaultNop(),
    lockFile,
    logFile,
    maxLogBytes: opts.maxLogBytes ?? 10 * 1024 * 1024,
  };
  const scheduler = await chooseScheduler(opts);
  // neither cron's shell nor the service creates the lock's or the log's directory
  await Promise.all([mkdir(dirname(lockFile), { recursive: true }), mkdir(dirname(logFile), { recursive: true })]);
  if (scheduler === 'systemd') {
    // one schedule per job: an entry left by an earlier cron install would run it twice
    const moved = await removeCronEntry(name, env);
    const changed = (await installTimer(units, name, spec)) || moved;
    out(`${changed ? 'installed' : 'unchanged'} (systemd timer): ${name}\n  ${join(units.unitDir, `${unitNameOf(name)}.timer`)}`);
    return 0;
  }
  const moved = await removeTimer(units, name);
  const res = await installCron(name, spec, env);
  out(`${res.changed || moved ? 'installed' : 'unchanged'}: ${name}\n  ${res.detail}`);
  return 0;
};
