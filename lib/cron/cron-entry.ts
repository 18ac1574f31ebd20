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

/** The job's identity in the crontab: one entry per playbook and inventory, so installing twice replaces. */
export const cronJobName = (playbook: string, inventories: string[]): string => `nop ${[playbook, ...inventories.flatMap((i) => ['-i', i])].join(' ')}`;

// crontab treats % as a newline: the job line uses none
const rotate = (log: string, max: number): string => {
  const q = shellJoin([log]);
  return `if [ -f ${q} ] && [ "$(wc -c < ${q})" -gt ${max} ]; then mv -f ${q} ${shellJoin([`${log}.1`])}; fi`;
};

/**
 * The job's shell command: rotate the JSON log, then run the playbook under flock (-n: a run already holding
 * the lock makes this one exit at once, never queue). The lock path is exported so the playbook's own lock
 * task knows its wrapper holds it.
 */
export const jobCommand = (s: CronJobSpec): string => {
  const run = shellJoin([s.nop, 'run', s.playbook, ...s.inventories.flatMap((i) => ['-i', i]), '--json']);
  const locked = `${RUN_LOCK_ENV}=${shellJoin([s.lockFile])} flock -n ${shellJoin([s.lockFile])} ${run} >> ${shellJoin([s.logFile])} 2>&1`;
  return `${rotate(s.logFile, s.maxLogBytes)}; ${locked}`;
};

/** The crontab line: the schedule, then the job's command. */
export const cronJobLine = (s: CronJobSpec): string => `${cronSchedule(s.every)} ${jobCommand(s)}`;
