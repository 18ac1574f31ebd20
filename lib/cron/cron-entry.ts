import { hasControlChar } from '../template/file-quoting.js';
import { shellJoin } from '../transport/shell-quote.js';
import { RUN_LOCK_ENV } from './run-lock.js';
import { cronSchedule } from './schedule.js';

export interface CronJobSpec {
  playbook: string;
  inventories: string[];
  every: string;
  /** the nop executable (absolute) */
  nop: string;
  lockFile: string;
  logFile: string;
  /** the log is moved to <log>.1 once it grows past this */
  maxLogBytes: number;
}

/** A value that cannot go into a crontab line or a unit file as it is: named, with why. */
export class ScheduledValueError extends Error {
  constructor(
    readonly what: string,
    readonly value: string,
    reason: string,
  ) {
    super(`${what} ${JSON.stringify(value)} cannot be scheduled: ${reason}`);
    this.name = 'ScheduledValueError';
  }
}

/**
 * Refuse what no quoting makes safe in a crontab line or a unit file: a newline (or any control
 * character) ends the line there, and the rest becomes a line of its own.
 */
export const checkScheduledValue = (what: string, value: string): string => {
  if (hasControlChar(value)) throw new ScheduledValueError(what, value, 'it holds a newline or another control character');
  return value;
};

const specValues = (s: CronJobSpec): [string, string][] => [
  ['the playbook', s.playbook],
  ...s.inventories.map((i): [string, string] => ['the inventory', i]),
  ['the nop executable', s.nop],
  ['--lock-file', s.lockFile],
  ['--log-file', s.logFile],
];

/**
 * crontab(5): an unescaped % ends the command (the rest is its stdin) and cron turns `\%` back into %;
 * a backslash followed by % has no crontab spelling, so a value holding one is refused.
 */
const cronEscape = (s: CronJobSpec, command: string): string => {
  for (const [what, value] of specValues(s)) {
    if (value.includes('\\%')) throw new ScheduledValueError(what, value, 'a crontab line cannot hold a backslash followed by %');
  }
  return command.replace(/%/g, '\\%');
};

/** The job's identity in the crontab: one entry per playbook and inventory, so installing twice replaces. */
export const cronJobName = (playbook: string, inventories: string[]): string => {
  checkScheduledValue('the playbook', playbook);
  for (const i of inventories) checkScheduledValue('the inventory', i);
  // quoted: a path with a space (or ending in a backslash) stays one word, and the name one line
  return `nop ${shellJoin([playbook, ...inventories.flatMap((i) => ['-i', i])])}`;
};

const rotate = (log: string, max: number): string => {
  const q = shellJoin([log]);
  return `if [ -f ${q} ] && [ "$(wc -c < ${q})" -gt ${max} ]; then mv -f ${q} ${shellJoin([`${log}.1`])}; fi`;
};

/**
 * The job's shell command: rotate the JSON log, then run the playbook under flock (-n: a run already holding
 * the lock makes this one exit at once, never queue). The lock path is exported so the playbook's own lock
 * task knows its wrapper holds it. Every value is shell-quoted; one that cannot be scheduled is refused.
 */
export const jobCommand = (s: CronJobSpec): string => {
  for (const [what, value] of specValues(s)) checkScheduledValue(what, value);
  const run = shellJoin([s.nop, 'run', s.playbook, ...s.inventories.flatMap((i) => ['-i', i]), '--json']);
  const locked = `${RUN_LOCK_ENV}=${shellJoin([s.lockFile])} flock -n ${shellJoin([s.lockFile])} ${run} >> ${shellJoin([s.logFile])} 2>&1`;
  return `${rotate(s.logFile, s.maxLogBytes)}; ${locked}`;
};

/** The crontab line: the schedule, then the job's command with every % escaped for cron. */
export const cronJobLine = (s: CronJobSpec): string => `${cronSchedule(s.every)} ${cronEscape(s, jobCommand(s))}`;
