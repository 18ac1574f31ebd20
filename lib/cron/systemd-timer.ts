import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { checkScheduledValue, jobCommand, type CronJobSpec } from './cron-entry.js';
import { systemdCalendar } from './schedule.js';

/** Where nop's timer units live and how systemctl is reached for them. */
export interface SystemdTarget {
  unitDir: string;
  /** `systemctl --user` (a user's own units) rather than the system manager */
  user: boolean;
  env: NodeJS.ProcessEnv;
}

export interface TimerJob {
  name: string;
  unit: string;
  calendar: string;
}

const JOB_MARKER = '# nop job: ';

/** systemd is the init system: the check sd_booted(3) makes */
export const systemdPresent = (runtimeDir = '/run/systemd/system'): Promise<boolean> =>
  access(runtimeDir).then(
    () => true,
    () => false,
  );

/** root schedules through the system manager, anyone else through their user manager */
export const defaultSystemdTarget = (env: NodeJS.ProcessEnv): SystemdTarget => {
  const root = process.getuid?.() === 0;
  return { unitDir: root ? '/etc/systemd/system' : join(homedir(), '.config/systemd/user'), user: !root, env };
};

/** one unit name per job name, stable across installs, so installing again replaces */
export const unitNameOf = (jobName: string): string => `nop-${createHash('sha256').update(jobName).digest('hex').slice(0, 12)}`;

// systemd.syntax: a double-quoted value is C-unescaped (\\ and \" here) and its % specifiers expanded
const quoteValue = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%')}"`;
// ExecStart= also expands $VARIABLES (Environment= does not): $$ is a literal $
const execQuote = (s: string): string => quoteValue(s).replace(/\$/g, '$$$$');
// Description= and comments are neither unquoted nor unescaped; only % specifiers expand in Description=
const specifierEscape = (s: string): string => s.replace(/%/g, '%%');

export const serviceUnit = (jobName: string, spec: CronJobSpec, path: string | undefined): string =>
  [
    '[Unit]',
    `Description=${specifierEscape(checkScheduledValue('the job', jobName))}`,
    JOB_MARKER + jobName,
    '',
    '[Service]',
    'Type=oneshot',
    // the units run with systemd's minimal PATH: keep the one nop was installed with (node, flock)
    ...(path ? [`Environment=${quoteValue(`PATH=${checkScheduledValue('PATH', path)}`)}`] : []),
    `ExecStart=/bin/sh -c ${execQuote(jobCommand(spec))}`,
    '',
  ].join('\n');

export const timerUnit = (jobName: string, every: string): string =>
  [
    '[Unit]',
    `Description=${specifierEscape(checkScheduledValue('the job', jobName))} (schedule)`,
    JOB_MARKER + jobName,
    '',
    '[Timer]',
    `OnCalendar=${systemdCalendar(every)}`,
    'Persistent=false',
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');

const systemctl = (t: SystemdTarget, args: string[]): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn('systemctl', [...(t.user ? ['--user'] : []), ...args], { env: t.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`systemctl ${args.join(' ')} failed (rc=${code}): ${stderr.trim()}`))));
  });

const readOr = (path: string): Promise<string | undefined> => readFile(path, 'utf8').catch(() => undefined);

/** Write the service and timer (only when they differ), reload, enable and start the timer. True when changed. */
export const installTimer = async (t: SystemdTarget, jobName: string, spec: CronJobSpec): Promise<boolean> => {
  const unit = unitNameOf(jobName);
  const files = { [`${unit}.service`]: serviceUnit(jobName, spec, t.env.PATH), [`${unit}.timer`]: timerUnit(jobName, spec.every) };
  await mkdir(t.unitDir, { recursive: true });
  let changed = false;
  for (const [file, text] of Object.entries(files)) {
    if ((await readOr(join(t.unitDir, file))) === text) continue;
    await writeFile(join(t.unitDir, file), text, { mode: 0o644 });
    changed = true;
  }
  if (changed) await systemctl(t, ['daemon-reload']);
  // enabling an enabled, running timer is a no-op: this also restores one someone stopped by hand
  await systemctl(t, ['enable', '--now', `${unit}.timer`]);
  return changed;
};

/** nop's timers in the unit dir, with the job each runs. */
export const listTimers = async (t: SystemdTarget): Promise<TimerJob[]> => {
  const names = await readdir(t.unitDir).catch(() => [] as string[]);
  const out: TimerJob[] = [];
  for (const file of names.filter((n) => /^nop-[0-9a-f]{12}\.timer$/.test(n)).sort()) {
    const text = (await readOr(join(t.unitDir, file))) ?? '';
    const name = text
      .split('\n')
      .find((l) => l.startsWith(JOB_MARKER))
      ?.slice(JOB_MARKER.length);
    const calendar = /^OnCalendar=(.*)$/m.exec(text)?.[1] ?? '?';
    if (name) out.push({ name, unit: file.replace(/\.timer$/, ''), calendar });
  }
  return out;
};

/** Stop and disable the job's timer and delete both units. True when there was one. */
export const removeTimer = async (t: SystemdTarget, jobName: string): Promise<boolean> => {
  const unit = unitNameOf(jobName);
  const files = [`${unit}.timer`, `${unit}.service`].map((f) => join(t.unitDir, f));
  const present = (await Promise.all(files.map(readOr))).some((x) => x !== undefined);
  if (!present) return false;
  await systemctl(t, ['disable', '--now', `${unit}.timer`]);
  await Promise.all(files.map((f) => rm(f, { force: true })));
  await systemctl(t, ['daemon-reload']);
  return true;
};
