import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import pLimit from 'p-limit';
import { withEnv, wrapBecome } from './become.js';
import { ownershipScript, tempName } from './atomic-write.js';
import { shellJoin } from './shell-quote.js';
import { endpointLabel, openSshConnection, type SftpSession, type SshChannel, type SshClient } from './ssh-connection.js';
import { ChannelLostError, execOnChannel } from './ssh-exec.js';
import { resolveSshRoute, type SshHop, type SshTransportOptions } from './ssh-route.js';
import { openSftp, sftpChmod, sftpFastPut, sftpPosixRename, sftpReadFile, sftpUnlink, sftpWriteNew } from './ssh-sftp.js';
import { UnreachableError, type Become, type ExecOptions, type PutOptions, type Transport } from './transport.js';

export type { SshTransportOptions } from './ssh-route.js';

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
// OpenSSH allows 10 sessions per connection (MaxSessions) and the SFTP session holds one of them.
const MAX_CONCURRENT_COMMANDS = 8;
const STAGING_DIR = '/tmp';

type Upload = (sftp: SftpSession, path: string, mode: number) => Promise<void>;

const forwardOut = (client: SshClient, host: string, port: number): Promise<SshChannel> =>
  new Promise((resolve, reject) => client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => (err ? reject(err) : resolve(stream))));

/** Connect every leg in order, each through a forwarded stream of the previous one. */
const connectRoute = async (route: SshHop[], connectTimeoutMs: number): Promise<SshClient[]> => {
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
      clients.push(await openSshConnection(hop.endpoint, hop.policy, { connectTimeoutMs, sock }));
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
  const clients = await connectRoute(route, opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
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
  };

  // Any failure while the connection is gone is reported as the connection loss, not as its symptom.
  const orLost = (err: unknown): never => {
    if (lost) throw lost;
    if (err instanceof ChannelLostError) throw new UnreachableError(`ssh ${label}: connection dropped during a command`);
    throw err;
  };

  const becomeOther = (become: Become | undefined): Become | undefined => (become && become.user !== target.user ? become : undefined);

  const exec = async (script: string, execOpts: ExecOptions = {}) => {
    ensureConnected();
    const wrapped = wrapBecome(withEnv(script, execOpts.env, execOpts.cwd), becomeOther(execOpts.become), execOpts.stdin);
    return guard(limit(() => execOnChannel(client, { ...wrapped, timeoutMs: execOpts.timeoutMs }))).catch(orLost);
  };

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
    await checked(`mv -f ${shellJoin([from, to])}`, undefined, `cannot rename ${from} to ${to}`);
  };

  // Upload under a temp name next to dest with the final mode and owner, then rename over dest.
  const putDirect = async (dest: string, upload: Upload, putOpts: PutOptions) => {
    const session = await sftp();
    const tmp = tempName(dest);
    try {
      await upload(session, tmp, 0o600);
      await sftpChmod(session, tmp, putOpts.mode ?? 0o644);
      if (putOpts.owner || putOpts.group) await checked(ownershipScript(tmp, putOpts), undefined, `chown ${dest}`);
      await renameOver(session, tmp, dest);
    } catch (err) {
      if (lost) throw lost;
      await sftpUnlink(session, tmp).catch(() => undefined);
      throw new Error(`cannot write ${dest}: ${(err as Error).message}`, { cause: err });
    }
  };

  // Staged privately by the login user, then installed by the become user: the content never passes a command line.
  const putAsOther = async (dest: string, upload: Upload, putOpts: PutOptions, become: Become) => {
    const session = await sftp();
    const staged = `${STAGING_DIR}/.nop-stage-${randomBytes(8).toString('hex')}`;
    try {
      await upload(session, staged, 0o600);
      // root reads the private file as is; any other become user needs read access to it
      if (become.user !== 'root') await sftpChmod(session, staged, 0o644);
      const tmp = tempName(dest);
      const script = [
        `cp ${shellJoin([staged, tmp])}`,
        `chmod ${(putOpts.mode ?? 0o644).toString(8)} ${shellJoin([tmp])}`,
        ownershipScript(tmp, putOpts),
        `mv -f ${shellJoin([tmp, dest])}`,
      ].join(' && ');
      await checked(`${script} || { rm -f ${shellJoin([tmp])}; exit 1; }`, become, `cannot write ${dest} as ${become.user}`);
    } finally {
      await sftpUnlink(session, staged).catch(() => undefined);
    }
  };

  const put = (dest: string, upload: Upload, putOpts: PutOptions) => {
    const become = becomeOther(putOpts.become);
    return guard(become ? putAsOther(dest, upload, putOpts, become) : putDirect(dest, upload, putOpts)).catch(orLost);
  };

  const get = async (path: string, getOpts: { become?: Become } = {}) => {
    const become = becomeOther(getOpts.become);
    if (become) {
      const res = await exec(`base64 < ${shellJoin([path])}`, { become });
      if (res.code !== 0) throw new Error(`cannot read ${path}: ${res.stderr.trim()}`);
      return Buffer.from(res.stdout, 'base64');
    }
    const session = await sftp();
    return guard(sftpReadFile(session, path)).catch((err: Error) => orLost(new Error(`cannot read ${path}: ${err.message}`)));
  };

  const forward = async (host: string, port: number): Promise<Duplex> => {
    ensureConnected();
    return guard(forwardOut(client, host, port)).catch((err: Error) => orLost(new Error(`ssh ${label}: cannot forward to ${host}:${port}: ${err.message}`)));
  };

  const close = async () => {
    if (closing) return;
    closing = true;
    if (lost) {
      clients.forEach((c) => c.end());
      return;
    }
    (await sftpSession?.catch(() => undefined))?.end();
    for (const c of [...clients].reverse()) await endConnection(c, gone);
  };

  return {
    kind: 'ssh',
    exec,
    put: (dest, content, putOpts = {}) => put(dest, (session, path, mode) => sftpWriteNew(session, path, Buffer.from(content), mode), putOpts),
    putFile: (dest, localPath, putOpts = {}) => put(dest, (session, path, mode) => sftpFastPut(session, localPath, path, mode), putOpts),
    get,
    forward,
    close,
  };
};
