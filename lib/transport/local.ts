import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, lstat, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type Content, installScript, ownershipScript, readScript, STALE_TEMP_MINUTES, sizeOf, streamOf, TEMP_PATTERN, tempName } from './atomic-write.js';
import { shellCommand } from './become.js';
import { feedStdin, type Stdin } from './stdin.js';
import type { Become, ExecOptions, ExecResult, PutOptions, Transport } from './transport.js';

export interface LocalTransportOptions {
  /**
   * An argv prefix every command runs under: `launcher… /bin/sh -c SCRIPT` instead of `/bin/sh -c SCRIPT`
   * (e.g. `['chroot', '/srv/root']`, `['nsenter', '-m', '-t', PID]`, a wrapper script). The launched shell may
   * see another file system than this process, so with a launcher every file operation (put, putFile, get) is
   * a command run through the same launcher too, the content on its stdin (never on a command line), with the
   * guarantees of a direct write: a temp file beside the destination, mode and owner set before the rename makes
   * it visible, the written size checked, the tool's errno message on failure, the temp file removed.
   */
  launcher?: readonly string[];
}

interface ShellRun {
  script: string;
  stdin?: Stdin;
  timeoutMs?: number;
  /** keep stdout's exact bytes in the result (`stdoutBytes`) */
  binary?: boolean;
  /** ends the command's stdin early (the transport is closing): an install script then removes its temp file */
  cutOff?: AbortSignal;
}

// The command runs in its own process group so a timeout kills everything it started, not just the shell
// (a child left holding the output pipe would keep the call waiting), and so a Ctrl-C at the terminal reaches
// nop, which cleans up, and not the commands it runs.
const runShell = (launcher: readonly string[], run: ShellRun): Promise<ExecResult> =>
  new Promise((resolve, reject) => {
    const [command, ...args] = [...launcher, '/bin/sh', '-c', run.script];
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let timedOut = false;
    let sourceError: Error | undefined;
    const timer =
      run.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              // the group is already gone
            }
          }, run.timeoutMs);
    const cutOff = () => child.stdin.destroy();
    run.cutOff?.addEventListener('abort', cutOff, { once: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.stdin.on('error', () => undefined); // the command may exit without reading stdin
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      run.cutOff?.removeEventListener('abort', cutOff);
      if (sourceError) return reject(sourceError);
      const stderr = Buffer.concat(err).toString();
      const stdout = Buffer.concat(out);
      resolve({
        code: timedOut ? 124 : (code ?? 128 + (signal === 'SIGKILL' ? 9 : 15)),
        stdout: stdout.toString(),
        ...(run.binary ? { stdoutBytes: stdout } : {}),
        stderr: timedOut ? `${stderr}command timed out after ${run.timeoutMs} ms\n` : stderr,
      });
    });
    feedStdin(run.stdin, child.stdin, (e) => (sourceError = e));
  });

/** Node's `ENOSPC: no space left on device, write` as the shell tools say it: `No space left on device`. */
const errnoText = (err: unknown): string => {
  const e = err as NodeJS.ErrnoException;
  const text = e.code ? /^E[A-Z0-9]+: ([^,]+)/.exec(e.message)?.[1] : undefined;
  return text ? text[0].toUpperCase() + text.slice(1) : e.message;
};

const staleBefore = () => Date.now() - STALE_TEMP_MINUTES * 60_000;

/** Remove temp files of nop's pattern in `dir` idle past STALE_TEMP_MINUTES (the rule is in atomic-write.ts). */
const sweepStaleTemps = async (dir: string): Promise<void> => {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => TEMP_PATTERN.test(n));
  for (const name of names) {
    const path = join(dir, name);
    const st = await lstat(path).catch(() => undefined);
    if (st?.isFile() && st.mtimeMs < staleBefore()) await rm(path, { force: true });
  }
};

/**
 * Runs commands on this machine (or, with a launcher, wherever the launcher puts them). Files land with the
 * requested mode and owner before the rename makes them visible.
 */
export const localTransport = (options: LocalTransportOptions = {}): Transport => {
  const launcher = options.launcher ?? [];
  const byCommand = (become: Become | undefined) => become !== undefined || launcher.length > 0;
  // temp files this process is writing itself, removed by close(); writes through a command remove their own
  // once close() cuts their stdin off
  const inFlight = new Set<string>();
  const closing = new AbortController();
  const swept = new Set<string>();
  const firstWriteInto = (dir: string, become: Become | undefined) => {
    const key = `${become?.user ?? ''}\0${dir}`;
    if (swept.has(key)) return false;
    swept.add(key);
    return true;
  };

  const run = (script: string, stdin: Stdin | undefined, opts: ExecOptions) => {
    const command = shellCommand(script, opts, stdin);
    return runShell(launcher, { script: command.script, stdin: command.stdin, timeoutMs: opts.timeoutMs, binary: opts.binary, cutOff: closing.signal });
  };
  const exec = async (script: string, opts: ExecOptions = {}) => run(script, opts.stdin, opts);

  const refuseWhenClosed = (dest: string) => {
    if (closing.signal.aborted) throw new Error(`cannot write ${dest}: the transport is closed`);
  };

  // This process writes the temp file itself, then checks its size before the rename.
  const putDirect = async (dest: string, content: Content, opts: PutOptions) => {
    const tmp = tempName(dest);
    if (firstWriteInto(dirname(dest), undefined)) await sweepStaleTemps(dirname(dest));
    refuseWhenClosed(dest);
    inFlight.add(tmp);
    try {
      const size = await sizeOf(content);
      if ('bytes' in content) await writeFile(tmp, content.bytes, { mode: 0o600, flag: 'wx' });
      else await pipeline(createReadStream(content.path), createWriteStream(tmp, { mode: 0o600, flags: 'wx' }));
      const written = (await stat(tmp)).size;
      if (written !== size) throw new Error(`size check failed: ${written} bytes written, ${size} expected`);
      await chmod(tmp, opts.mode ?? 0o644);
      if (opts.owner || opts.group) {
        const res = await exec(ownershipScript(tmp, opts));
        if (res.code !== 0) throw new Error(res.stderr.trim());
      }
      refuseWhenClosed(dest);
      await rename(tmp, dest);
    } catch (err) {
      await rm(tmp, { force: true });
      throw new Error(`cannot write ${dest}: ${errnoText(err)}`, { cause: err });
    } finally {
      inFlight.delete(tmp);
    }
  };

  // The content travels on the command's stdin (never a command line); the command installs it atomically.
  const putByCommand = async (dest: string, content: Content, opts: PutOptions) => {
    refuseWhenClosed(dest);
    const size = await sizeOf(content).catch((err: Error) => {
      throw new Error(`cannot write ${dest}: ${errnoText(err)}`, { cause: err });
    });
    const script = installScript({ dest, tmp: tempName(dest), size, opts, sweep: firstWriteInto(dirname(dest), opts.become) });
    const res = await run(script, streamOf(content), { become: opts.become });
    const as = opts.become ? ` as ${opts.become.user}` : '';
    if (res.code !== 0) throw new Error(`cannot write ${dest}${as}: ${res.stderr.trim()}`);
  };

  const put = (dest: string, content: Content, opts: PutOptions) =>
    byCommand(opts.become) ? putByCommand(dest, content, opts) : putDirect(dest, content, opts);

  const get = async (path: string, opts: { become?: Become } = {}) => {
    if (!byCommand(opts.become)) return readFile(path);
    const res = await exec(readScript(path), { become: opts.become });
    if (res.code !== 0) throw new Error(`cannot read ${path}: ${res.stderr.trim()}`);
    return Buffer.from(res.stdout, 'base64');
  };

  // Best effort, for an interrupted run: what is half written is removed, nothing new starts.
  const close = async () => {
    closing.abort();
    await Promise.all([...inFlight].map((tmp) => rm(tmp, { force: true }).catch(() => undefined)));
  };

  return {
    kind: 'local',
    controller: launcher.length === 0,
    exec,
    put: (dest, content, opts = {}) => put(dest, { bytes: Buffer.from(content) }, opts),
    putFile: (dest, localPath, opts = {}) => put(dest, { path: localPath }, opts),
    get,
    close,
  };
};
