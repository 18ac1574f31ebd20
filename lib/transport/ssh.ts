import { dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import pLimit from 'p-limit';
import { type Content, installScript, ownershipScript, readScript, sizeOf, streamOf, sweepScript, tempName } from './atomic-write.js';
import { shellCommand } from './become.js';
import { createIdentityStore, type IdentityStore } from './identity-store.js';
import { shellJoin } from './shell-quote.js';
import { endpointLabel, openSshConnection, type SftpSession, type SshChannel, type SshClient } from './ssh-connection.js';
import { ChannelLostError, execOnChannel } from './ssh-exec.js';
import { resolveSshRoute, type SshHop, type SshTransportOptions } from './ssh-route.js';
import { isBareSftpFailure, openSftp, sftpChmod, sftpPosixRename, sftpReadFile, sftpSize, sftpUnlink, sftpUpload } from './ssh-sftp.js';
import type { Stdin } from './stdin.js';
import { type Become, type ExecOptions, type PutOptions, type StagedFile, type Transport, UnreachableError } from './transport.js';

export type { SshTransportOptions } from './ssh-route.js';

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
// OpenSSH allows 10 sessions per connection (MaxSessions) and the SFTP session holds one of them.
const MAX_CONCURRENT_COMMANDS = 8;

const forwardOut = (client: SshClient, host: string, port: number): Promise<SshChannel> =>
  new Promise((resolve, reject) => client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => (err ? reject(err) : resolve(stream))));

/** Connect every leg in order, each through a forwarded stream of the previous one. */
const connectRoute = async (route: SshHop[], connectTimeoutMs: number, identities: IdentityStore): Promise<SshClient[]> => {
  const clients: SshClient[] = [];
  try {
    for (const [i, hop] of route.entries()) {
      const previous = clients[i - 1];
      const { host, port } = hop.endpoint;
      const sock = previous
        ? await forwardOut(previous, host, port).catch((err: Error) => {
            const jump = endpointLabel(route[i - 1].endpoint);
            throw new UnreachableError(`ssh ${jump}: cannot reach ${host}:${port} through this jump host: ${err.message}`);
          })
        : undefined;
      clients.push(await openSshConnection(hop.endpoint, hop.policy, { connectTimeoutMs, sock, identities }));
    }
    return clients;
  } catch (err) {
    clients.reverse().forEach((c) => c.end());
    throw err;
  }
};

/** End a connection and wait until it is gone (immediately if it already is). */
const endConnection = (client: SshClient, gone: ReadonlySet<SshClient>): Promise<void> => {
  if (gone.has(client)) return Promise.resolve();
  const done = new Promise<void>((resolve) => {
    client.once('end', () => resolve());
    client.once('close', () => resolve());
  });
  client.end();
  return done;
};

/**
 * A transport over ONE SSH connection (through ProxyJump hops if configured): every command is a channel of it,
 * files go over one SFTP session. Connects eagerly, so an unreachable host fails here with UnreachableError.
 */
export const sshTransport = async (opts: SshTransportOptions): Promise<Transport> => {
  const route = await resolveSshRoute(opts);
  const target = route[route.length - 1].endpoint;
  const label = endpointLabel(target);
  const clients = await connectRoute(route, opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, opts.identities ?? createIdentityStore());
  const client = clients[clients.length - 1];
  const limit = pLimit(MAX_CONCURRENT_COMMANDS);
  let lost: UnreachableError | undefined;
  let lastError: Error | undefined;
  let closing = false;
  let sftpSession: Promise<SftpSession> | undefined;
  const gone = new Set<SshClient>();
  let announceLoss!: (err: UnreachableError) => void;
  // settles (rejects) once, when the route breaks: every operation in flight races against it
  const dropped = new Promise<never>((_, reject) => (announceLoss = reject));
  dropped.catch(() => undefined);

  // A hop tunnelled through another hop may only see 'end' when the path breaks, never 'close', and nothing then
  // reaches the connections behind it: any hop ending is the end of the whole route.
  const onGone = (c: SshClient) => {
    gone.add(c);
    if (lost) return;
    const why = closing ? 'closed' : `lost${lastError ? `: ${lastError.message}` : ''}`;
    lost = new UnreachableError(`ssh ${label}: connection ${why}`);
    announceLoss(lost);
    if (!closing) clients.forEach((other) => other.end());
  };
  for (const c of clients) {
    c.on('error', (err: Error) => (lastError = err));
    c.once('end', () => onGone(c));
    c.once('close', () => onGone(c));
  }
  const guard = <T>(operation: Promise<T>): Promise<T> => Promise.race([operation, dropped]);

  const ensureConnected = () => {
    if (lost) throw lost;
    if (closing) throw new UnreachableError(`ssh ${label}: connection closed`);
  };

  // Any failure while the connection is gone is reported as the connection loss, not as its symptom.
  const orLost = (err: unknown): never => {
    if (lost) throw lost;
    if (err instanceof ChannelLostError) throw new UnreachableError(`ssh ${label}: connection dropped during a command`);
    throw err;
  };

  const becomeOther = (become: Become | undefined): Become | undefined => (become && become.user !== target.user ? become : undefined);

  const run = async (script: string, stdin: Stdin | undefined, execOpts: ExecOptions) => {
    ensureConnected();
    const command = shellCommand(script, { ...execOpts, become: becomeOther(execOpts.become) }, stdin);
    return guard(limit(() => execOnChannel(client, { ...command, timeoutMs: execOpts.timeoutMs, binary: execOpts.binary }))).catch(orLost);
  };
  const exec = (script: string, execOpts: ExecOptions = {}) => run(script, execOpts.stdin, execOpts);

  const sftp = (): Promise<SftpSession> => {
    ensureConnected();
    sftpSession ??= guard(openSftp(client)).then((session) => {
      session.on('close', () => (sftpSession = undefined));
      return session;
    });
    return sftpSession.catch((err: unknown) => {
      sftpSession = undefined;
      return orLost(err);
    });
  };

  const checked = async (script: string, become: Become | undefined, what: string) => {
    const res = await exec(script, { become });
    if (res.code !== 0) throw new Error(`${what}: ${res.stderr.trim()}`);
  };

  const renameOver = async (session: SftpSession, from: string, to: string) => {
    if (await sftpPosixRename(session, from, to)) return;
    await checked(`mv -fT ${shellJoin([from, to])}`, undefined, `cannot rename ${from} to ${to}`);
  };

  // stale temp files are swept from a directory by the first write into it (per login or become user)
  const swept = new Set<string>();
  const firstWriteInto = (dir: string, become: Become | undefined) => {
    const key = `${become?.user ?? ''}\0${dir}`;
    if (swept.has(key)) return false;
    swept.add(key);
    return true;
  };
  // temp files being written over SFTP, removed by close() when a run is interrupted
  const inFlight = new Set<string>();

  // Through a command, the content on its stdin (never a command line): as the become user, and the follow-up
  // of a bare SFTP "Failure", whose shell tools then name the errno.
  const putByCommand = async (dest: string, content: Content, putOpts: PutOptions, become: Become | undefined) => {
    const size = await sizeOf(content).catch((err: Error) => {
      throw new Error(`cannot write ${dest}: ${err.message}`, { cause: err });
    });
    const script = installScript({ dest, tmp: tempName(dest), size, opts: putOpts, sweep: firstWriteInto(dirname(dest), become) });
    const res = await run(script, streamOf(content), { become });
    if (res.code !== 0) throw new Error(`cannot write ${dest}${become ? ` as ${become.user}` : ''}: ${res.stderr.trim()}`);
  };

  // Upload under a temp name next to dest with the final mode and owner, check its size, then rename over dest.
  const putDirect = async (dest: string, content: Content, putOpts: PutOptions) => {
    const session = await sftp();
    const size = await sizeOf(content).catch((err: Error) => {
      throw new Error(`cannot write ${dest}: ${err.message}`, { cause: err });
    });
    const sweeping = firstWriteInto(dirname(dest), undefined) ? exec(sweepScript(dirname(dest))).catch(() => undefined) : undefined;
    const tmp = tempName(dest);
    ensureConnected(); // nothing is created once close() has begun removing what is in flight
    inFlight.add(tmp);
    try {
      await sftpUpload(session, tmp, streamOf(content), 0o600);
      // one round trip for both: a chmod on a temp that then fails the check is removed with it
      const [written] = await Promise.all([sftpSize(session, tmp), sftpChmod(session, tmp, putOpts.mode ?? 0o644)]);
      if (written !== size) throw new Error(`size check failed: ${written} bytes written, ${size} expected`);
      if (putOpts.owner || putOpts.group) await checked(ownershipScript(tmp, putOpts), undefined, `chown ${dest}`);
      await renameOver(session, tmp, dest);
    } catch (err) {
      if (lost) throw lost;
      await sftpUnlink(session, tmp).catch(() => undefined);
      // awaited here, not returned: the finally below awaits the sweep, and a rejection of a promise nobody awaits
      // yet is an unhandled rejection (the process's end, under Node's default)
      if (isBareSftpFailure(err)) return await putByCommand(dest, content, putOpts, undefined);
      throw new Error(`cannot write ${dest}: ${(err as Error).message}`, { cause: err });
    } finally {
      inFlight.delete(tmp);
      await sweeping;
    }
  };

  // Only the content goes here; the batch that installs it checks its size, sets mode and owner and renames it.
  const stage = async (dest: string, localPath: string): Promise<StagedFile> => {
    const session = await sftp();
    const tmp = tempName(dest);
    ensureConnected(); // nothing is created once close() has begun removing what is in flight
    inFlight.add(tmp);
    try {
      await guard(sftpUpload(session, tmp, streamOf({ path: localPath }), 0o600));
    } catch (err) {
      inFlight.delete(tmp);
      if (lost) throw lost;
      await sftpUnlink(session, tmp).catch(() => undefined);
      throw new Error(`cannot write ${dest}: ${(err as Error).message}`, { cause: err });
    }
    return { tmp, release: () => inFlight.delete(tmp) };
  };

  const put = (dest: string, content: Content, putOpts: PutOptions) => {
    const become = becomeOther(putOpts.become);
    return guard(become ? putByCommand(dest, content, putOpts, become) : putDirect(dest, content, putOpts)).catch(orLost);
  };

  const getByCommand = async (path: string, become: Become | undefined) => {
    const res = await exec(readScript(path), { become });
    if (res.code !== 0) throw new Error(`cannot read ${path}: ${res.stderr.trim()}`);
    return Buffer.from(res.stdout, 'base64');
  };

  // a bare SFTP "Failure" is read again through a command, whose error names the errno
  const get = async (path: string, getOpts: { become?: Become } = {}) => {
    const become = becomeOther(getOpts.become);
    if (become) return getByCommand(path, become);
    const session = await sftp();
    return guard(sftpReadFile(session, path))
      .catch((err: Error) =>
        isBareSftpFailure(err) && !lost ? getByCommand(path, undefined) : Promise.reject(new Error(`cannot read ${path}: ${err.message}`)),
      )
      .catch(orLost);
  };

  const forward = async (host: string, port: number): Promise<Duplex> => {
    ensureConnected();
    return guard(forwardOut(client, host, port)).catch((err: Error) => orLost(new Error(`ssh ${label}: cannot forward to ${host}:${port}: ${err.message}`)));
  };

  // Best effort, for an interrupted run: the temp files of uploads in flight are unlinked on the same SFTP session,
  // which handles requests in order, so after any open already sent (and ensureConnected refuses new ones).
  // A write through a command removes its own temp file when the closing connection cuts its stdin short.
  const close = async () => {
    if (closing) return;
    closing = true;
    if (lost) {
      clients.forEach((c) => c.end());
      return;
    }
    const session = await sftpSession?.catch(() => undefined);
    if (session) await Promise.all([...inFlight].map((tmp) => sftpUnlink(session, tmp).catch(() => undefined)));
    session?.end();
    for (const c of [...clients].reverse()) await endConnection(c, gone);
  };

  return {
    kind: 'ssh',
    exec,
    put: (dest, content, putOpts = {}) => put(dest, { bytes: Buffer.from(content) }, putOpts),
    putFile: (dest, localPath, putOpts = {}) => put(dest, { path: localPath }, putOpts),
    stage,
    get,
    forward,
    close,
  };
};
