import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { wrapBecome, withEnv } from './become.js';
import { shellJoin } from './shell-quote.js';
import type { Become, ExecOptions, ExecResult, PutOptions, Transport } from './transport.js';

// The command runs in its own process group so a timeout kills everything it started, not just the shell
// (a child left holding the output pipe would keep the call waiting).
const runShell = (script: string, opts: ExecOptions): Promise<ExecResult> =>
  new Promise((resolve, reject) => {
    const wrapped = wrapBecome(withEnv(script, undefined, opts.cwd), opts.become, opts.stdin);
    const child = spawn('/bin/sh', ['-c', wrapped.script], {
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let timedOut = false;
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              // the group is already gone
            }
          }, opts.timeoutMs);
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
      const stderr = Buffer.concat(err).toString();
      resolve({
        code: timedOut ? 124 : (code ?? 128 + (signal === 'SIGKILL' ? 9 : 15)),
        stdout: Buffer.concat(out).toString(),
        stderr: timedOut ? `${stderr}command timed out after ${opts.timeoutMs} ms\n` : stderr,
      });
    });
    child.stdin.end(wrapped.stdin ?? '');
  });

export const tempName = (dest: string): string => join(dirname(dest), `.${basename(dest)}.nop-${randomBytes(6).toString('hex')}`);

export const ownershipScript = (path: string, opts: PutOptions): string => {
  const owner = opts.owner ? `${opts.owner}${opts.group ? `:${opts.group}` : ''}` : opts.group ? `:${opts.group}` : '';
  return owner ? `chown ${shellJoin([owner, path])}` : 'true';
};

/** Runs commands on this machine. Files land with the requested mode before the rename makes them visible. */
export const localTransport = (): Transport => {
  const exec = (script: string, opts: ExecOptions = {}) => runShell(script, opts);

  const finish = async (tmp: string, dest: string, opts: PutOptions) => {
    if (opts.owner || opts.group) {
      const res = await exec(ownershipScript(tmp, opts), { become: opts.become });
      if (res.code !== 0) throw new Error(`chown ${dest}: ${res.stderr.trim()}`);
    }
    await rename(tmp, dest);
  };

  const putVia = async (dest: string, write: (tmp: string) => Promise<void>, opts: PutOptions) => {
    if (opts.become) return putAsOther(dest, write, opts, opts.become);
    const tmp = tempName(dest);
    try {
      await write(tmp);
      await chmod(tmp, opts.mode ?? 0o644);
      await finish(tmp, dest, opts);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  };

  // Written by us to a private temp file, then installed by the become user: the content never passes a command line.
  const putAsOther = async (dest: string, write: (tmp: string) => Promise<void>, opts: PutOptions, become: Become) => {
    const staged = join(process.env.TMPDIR ?? '/tmp', `nop-${randomBytes(8).toString('hex')}`);
    try {
      await write(staged);
      await chmod(staged, 0o644);
      const tmp = tempName(dest);
      const mode = (opts.mode ?? 0o644).toString(8);
      const script = [
        `cp ${shellJoin([staged, tmp])}`,
        `chmod ${mode} ${shellJoin([tmp])}`,
        ownershipScript(tmp, opts),
        `mv -f ${shellJoin([tmp, dest])}`,
      ].join(' && ');
      const res = await exec(`${script} || { rm -f ${shellJoin([tmp])}; exit 1; }`, { become });
      if (res.code !== 0) throw new Error(`cannot write ${dest} as ${become.user}: ${res.stderr.trim()}`);
    } finally {
      await rm(staged, { force: true });
    }
  };

  return {
    kind: 'local',
    exec,
    put: (dest, content, opts = {}) => putVia(dest, (tmp) => writeFile(tmp, content, { mode: 0o600 }), opts),
    putFile: (dest, localPath, opts = {}) => putVia(dest, (tmp) => pipeline(createReadStream(localPath), createWriteStream(tmp, { mode: 0o600 })), opts),
    get: async (path, opts = {}) => {
      if (!opts.become) return readFile(path);
      const res = await exec(`base64 < ${shellJoin([path])}`, { become: opts.become });
      if (res.code !== 0) throw new Error(`cannot read ${path}: ${res.stderr.trim()}`);
      return Buffer.from(res.stdout, 'base64');
    },
    close: async () => undefined,
  };
};
