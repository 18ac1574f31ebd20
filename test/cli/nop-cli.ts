import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { main } from '../../lib/cli/main.js';
import { packageRoot } from '../../lib/runner/paths.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  /** the whole environment of the command (the caller builds it from process.env) */
  env: NodeJS.ProcessEnv;
  /** its stdin (a spawned command only: in this process stdin is the test runner's) */
  input?: string;
}

/** `nop ARGS` as users run it: the compiled bin in a process of its own (`npm test` builds first). */
export const nopProcess = (args: string[], opts: CliOptions): Promise<CliResult> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [join(packageRoot, 'bin', 'nop.js'), ...args], { cwd: opts.cwd, env: opts.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(opts.input ?? '');
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

const swapEnv = (env: NodeJS.ProcessEnv): (() => void) => {
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
  Object.assign(process.env, env);
  return () => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  };
};

/**
 * `nop ARGS` through the bin's own entry (lib/cli/main.ts `main`, whose exit code bin/nop.js hands to the process), in
 * this process: its working directory, environment, stdout and stderr are the command's for the call, then restored.
 * A node start and the bundle's load less per call (about 0.2 s of CPU). Not for what only a process shows (stdin, a
 * terminal, signals, the exit itself): nopProcess; a test that pins the bin to this (same code, same stderr) keeps
 * the two the same. The calls of one test file run one after another (vitest runs a file's tests in sequence).
 */
export const nopInProcess = async (args: string[], opts: CliOptions): Promise<CliResult> => {
  let stdout = '';
  let stderr = '';
  const write = { out: process.stdout.write, err: process.stderr.write };
  const cwd = process.cwd();
  const restoreEnv = swapEnv(opts.env);
  process.chdir(opts.cwd);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    process.chdir(cwd);
    restoreEnv();
  }
};
