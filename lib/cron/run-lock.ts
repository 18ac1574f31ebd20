import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { processAlive } from './process-alive.js';

/**
 * The lock that keeps day-2 runs (a scheduled repair, a manual update) from ever running at once.
 * It is a flock(1) lock on the machine running nop, so `flock -n FILE nop run …` in a crontab and the
 * lock task of the update and repair roles exclude each other.
 */
export const RUN_LOCK_ENV = 'NOP_RUN_LOCK_HELD';

export const defaultRunLockFile = (): string => join(homedir(), '.nop', 'locks', 'gonka-day2.lock');

export type RunLockResult = { acquired: true; how: 'wrapper' | 'this run' | 'taken' } | { acquired: false; holder: string };

const ownerFile = (file: string) => `${file}.owner`;

const heldByThisProcess = async (file: string): Promise<boolean> => {
  const owner = await readFile(ownerFile(file), 'utf8').catch(() => '');
  return Number(owner.trim()) === process.pid;
};

const describeHolder = async (file: string): Promise<string> => {
  const owner = Number((await readFile(ownerFile(file), 'utf8').catch(() => '')).trim());
  return owner && processAlive(owner) ? `nop process ${owner}` : 'another process (a scheduled run under flock?)';
};

// flock(1) holds the lock in a small child that lives as long as this process (or until the lock file is
// removed): Node cannot hold an flock itself, and the lock must outlast the task that took it.
const holdScript = (pid: number) => `echo locked; while kill -0 ${pid} 2>/dev/null && [ -e "$0" ]; do sleep 1; done`;

const spawnHolder = (file: string): Promise<boolean> =>
  new Promise((resolve, reject) => {
    const child = spawn('flock', ['-n', '-E', '75', file, 'sh', '-c', holdScript(process.pid), file], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    child.once('error', reject);
    child.once('exit', () => resolve(false));
    child.stdout.once('data', () => {
      child.removeAllListeners('exit');
      child.stdout.destroy();
      child.unref();
      resolve(true);
    });
  });

/** Take the day-2 lock for the rest of this process's life; refuse when another run holds it. */
export const acquireRunLock = async (file: string): Promise<RunLockResult> => {
  if (process.env[RUN_LOCK_ENV] === file) return { acquired: true, how: 'wrapper' };
  if (await heldByThisProcess(file)) return { acquired: true, how: 'this run' };
  await mkdir(dirname(file), { recursive: true });
  if (!(await spawnHolder(file))) return { acquired: false, holder: await describeHolder(file) };
  await writeFile(ownerFile(file), `${process.pid}\n`);
  return { acquired: true, how: 'taken' };
};
