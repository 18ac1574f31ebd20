import { spawn } from 'node:child_process';
import { applyJob, formatCrontab, parseCrontab } from '../modules/builtin/cron.js';

const MARKER = '#Ansible: ';

export interface CrontabEntry {
  name: string;
  line: string;
}

const crontab = (args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn('crontab', args, { env, stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin?.end(stdin);
  });

/** The current user's crontab as lines ([] when there is none). */
export const readCrontab = async (env: NodeJS.ProcessEnv): Promise<string[]> => {
  const res = await crontab(['-l'], env);
  if (res.code === 0) return parseCrontab(res.stdout);
  if (/no crontab/i.test(res.stderr)) return [];
  throw new Error(`crontab -l failed: ${res.stderr.trim()}`);
};

export const writeCrontab = async (lines: string[], env: NodeJS.ProcessEnv): Promise<void> => {
  const res = await crontab(['-'], env, formatCrontab(lines));
  if (res.code !== 0) throw new Error(`crontab - failed: ${res.stderr.trim()}`);
};

/** Entries nop installed (named `nop …`), in crontab order. */
export const nopEntries = (lines: string[]): CrontabEntry[] =>
  lines.flatMap((l, i) => (l.startsWith(`${MARKER}nop `) && lines[i + 1] !== undefined ? [{ name: l.slice(MARKER.length), line: lines[i + 1] }] : []));

export { applyJob };
