import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { installScript, ownershipScript, readScript, tempName } from './atomic-write.js';
import { withEnv, wrapBecome } from './become.js';
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
  env?: Record<string, string>;
  timeoutMs?: number;
}

// The command runs in its own process group so a timeout kills everything it started, not just the shell
// (a child left holding the output pipe would keep the call waiting).
const runShell = (launcher: readonly string[], run: ShellRun): Promise<ExecResult> =>
  new Promise((resolve, reject) => {
    const [command, ...args] = [...launcher, '/bin/sh', '-c', run.script];
    const child = spawn(command, args, { env: { ...process.env, ...run.env }, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
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
      if (sourceError) return reject(sourceError);
      const stderr = Buffer.concat(err).toString();
      resolve({
        code: timedOut ? 124 : (code ?? 128 + (signal === 'SIGKILL' ? 9 : 15)),
        stdout: Buffer.concat(out).toString(),
        stderr: timedOut ? `${stderr}command timed out after ${run.timeoutMs} ms\n` : stderr,
      });
    });
    feedStdin(run.stdin, child.stdin, (e) => (sourceError = e));
  });

/** What a put writes: bytes in memory, or a local file streamed from disk. */
type Content = { bytes: Buffer } | { path: string };

const sizeOf = async (content: Content): Promise<number> => ('bytes' in content ? content.bytes.length : (await stat(content.path)).size);
const streamOf = (content: Content): Stdin => ('bytes' in content ? content.bytes : createReadStream(content.path));

/**
 * Runs commands on this machine (or, with a launcher, wherever the launcher puts them). Files land with the
 * requested mode and owner before the rename makes them visible.
 */
export const localTransport = (options: LocalTransportOptions = {}): Transport => {
  const launcher = options.launcher ?? [];
  const byCommand = (become: Become | undefined) => become !== undefined || launcher.length > 0;

  const run = (script: string, stdin: Stdin | undefined, opts: ExecOptions) => {
    const wrapped = wrapBecome(withEnv(script, undefined, opts.cwd), opts.become, stdin);
    return runShell(launcher, { script: wrapped.script, stdin: wrapped.stdin, env: opts.env, timeoutMs: opts.timeoutMs });
  };
  const exec = (script: string, opts: ExecOptions = {}) => run(script, opts.stdin, opts);

  // This process writes the temp file itself, then checks its size before the rename.
  const putDirect = async (dest: string, content: Content, opts: PutOptions) => {
    const tmp = tempName(dest);
    try {
      const size = await sizeOf(content);
      if ('bytes' in content) await writeFile(tmp, content.bytes, { mode: 0o600, flag: 'wx' });
      else await pipeline(createReadStream(content.path), createWriteStream(tmp, { mode: 0o600, flags: 'wx' }));
      const written = (await stat(tmp)).size;
      if (written !== size) throw new Error(`short write: ${written} of ${size} bytes arrived`);
      await chmod(tmp, opts.mode ?? 0o644);
      if (opts.owner || opts.group) {
        const res = await exec(ownershipScript(tmp, opts));
        if (res.code !== 0) throw new Error(res.stderr.trim());
      }
      await rename(tmp, dest);
    } catch (err) {
      await rm(tmp, { force: true });
      throw new Error(`cannot write ${dest}: ${(err as Error).message}`, { cause: err });
    }
  };

  // The content travels on the command's stdin (never a command line); the command installs it atomically.
  const putByCommand = async (dest: string, content: Content, opts: PutOptions) => {
    const size = await sizeOf(content).catch((err: Error) => {
      throw new Error(`cannot write ${dest}: ${err.message}`, { cause: err });
    });
    const script = installScript({ dest, tmp: tempName(dest), size, opts });
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

  return {
    kind: 'local',
    exec,
    put: (dest, content, opts = {}) => put(dest, { bytes: Buffer.from(content) }, opts),
    putFile: (dest, localPath, opts = {}) => put(dest, { path: localPath }, opts),
    get,
    close: async () => undefined,
  };
};
