import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Duplex, Readable } from 'node:stream';
import keyParser from 'ssh2/lib/protocol/keyParser.js';
import type { IdentityStore } from './identity-store.js';
import { entriesForHost, type HostKeyVerdict, hostKeyAlgorithmsFor, knownHostName, verifyHostKey } from './known-hosts.js';
import type { KnownHostsStore } from './known-hosts-store.js';
import { UnreachableError } from './transport.js';

/** The parts of an ssh2 channel we use (ssh2 ships no types of its own). */
export interface SshChannel extends Duplex {
  stderr: Readable;
  signal(name: string): boolean;
  close(): void;
}

type Callback<T> = (err: Error | null | undefined, value: T) => void;

/** The parts of an ssh2 SFTP session we use. */
export interface SftpSession extends EventEmitter {
  open(path: string, flags: string, attrs: { mode: number }, cb: Callback<Buffer>): void;
  write(handle: Buffer, data: Buffer, offset: number, length: number, position: number, cb: (err?: Error | null) => void): void;
  close(handle: Buffer, cb: (err?: Error | null) => void): void;
  lstat(path: string, cb: Callback<{ size: number }>): void;
  readFile(path: string, cb: Callback<Buffer>): void;
  chmod(path: string, mode: number, cb: (err?: Error | null) => void): void;
  unlink(path: string, cb: (err?: Error | null) => void): void;
  /** throws synchronously when the server lacks posix-rename@openssh.com */
  ext_openssh_rename(from: string, to: string, cb: (err?: Error | null) => void): void;
  end(): void;
}

/** The parts of an ssh2 Client we use. */
export interface SshClient extends EventEmitter {
  exec(command: string, cb: Callback<SshChannel>): void;
  sftp(cb: Callback<SftpSession>): void;
  forwardOut(srcIP: string, srcPort: number, dstIP: string, dstPort: number, cb: Callback<SshChannel>): void;
  end(): void;
}

// ssh2 ships no types: SshClient is the part of its API nop uses, connect() the part only this file does. Its client
// alone: the package's index also loads its SSH server, key generator and HTTP agents, a few ms of every start
const Client = createRequire(import.meta.url)('ssh2/lib/client.js') as new () => SshClient & { connect(config: Record<string, unknown>): void };

export interface SshEndpoint {
  host: string;
  port: number;
  user: string;
  /** private key files tried in order (then the agent); unreadable or encrypted ones are skipped */
  identityFiles: string[];
  /** tried last, as password then keyboard-interactive authentication; never logged */
  password?: string;
}

export interface HostKeyPolicy {
  /** files whose entries are trusted */
  knownHostsFiles: string[];
  /** where an accepted new key is recorded */
  recordFile: string;
  acceptNewHostKeys: boolean;
  /** the run's parsed known_hosts files, shared by its connections */
  store: KnownHostsStore;
}

const KEEPALIVE_INTERVAL_MS = 15_000;
const KEEPALIVE_COUNT_MAX = 3;
const DEFAULT_HOST_KEY_ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256'];
const NEGOTIABLE = new Set([...DEFAULT_HOST_KEY_ALGORITHMS, 'ssh-rsa']);

export const defaultIdentityFiles = (): string[] => ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((name) => join(homedir(), '.ssh', name));

export const endpointLabel = (e: Pick<SshEndpoint, 'host' | 'port' | 'user'>): string => `${e.user}@${e.host}:${e.port}`;

const hostKeyRefusal = (verdict: Exclude<HostKeyVerdict, { status: 'match' }>, e: SshEndpoint): string => {
  if (verdict.status === 'revoked') return `host key of ${knownHostName(e.host, e.port)} is marked @revoked in ${verdict.entry.file}:${verdict.entry.line}`;
  if (verdict.status === 'changed')
    return [
      'WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!',
      `The host key of ${knownHostName(e.host, e.port)} differs from the one recorded in ${verdict.entry.file}:${verdict.entry.line}.`,
      'Someone could be intercepting the connection, or the host was reinstalled.',
      `If the change is expected, replace line ${verdict.entry.line} of ${verdict.entry.file} with:`,
      verdict.lineToAdd,
    ].join('\n');
  return [
    `unknown host key for ${knownHostName(e.host, e.port)}; after checking it, add this line to a known_hosts file:`,
    verdict.lineToAdd,
    '(or run with acceptNewHostKeys to record it automatically)',
  ].join('\n');
};

// Prefer the key types already recorded for the host, as OpenSSH does, so a host with several keys presents a known one.
const hostKeyAlgorithms = (knownTypes: string[]): string[] => {
  const preferred = knownTypes.flatMap(hostKeyAlgorithmsFor).filter((a) => NEGOTIABLE.has(a));
  return [...new Set([...preferred, ...DEFAULT_HOST_KEY_ALGORITHMS])];
};

// ssh2 knows a key it parsed by a symbol of its keyParser module: the key is parsed by the module its client uses (a
// static import, which resolves, or is bundled, as the client's own require of it does)
const parseIdentity = (bytes: Buffer) => keyParser.parseKey(bytes);

const authMethods = async (e: SshEndpoint, identities: IdentityStore) => {
  const keys = await Promise.all(e.identityFiles.map((f) => identities.key(f, parseIdentity)));
  const publickey = keys.flatMap((key) => (key ? [{ type: 'publickey', username: e.user, key }] : []));
  const agent = process.env.SSH_AUTH_SOCK;
  const withAgent = agent ? [...publickey, { type: 'agent', username: e.user, agent }] : publickey;
  if (e.password === undefined) return withAgent;
  const password = e.password;
  // servers that check passwords through PAM ask for them as keyboard-interactive prompts
  const answerAll = (_name: string, _instructions: string, _lang: string, prompts: unknown[], finish: (answers: string[]) => void) =>
    finish(prompts.map(() => password));
  return [...withAgent, { type: 'password', username: e.user, password }, { type: 'keyboard-interactive', username: e.user, prompt: answerAll }];
};

const describeConnectError = (err: unknown, timeoutMs: number): string => {
  const error = err as { code?: string; level?: string; message?: string };
  if (error.code === 'ECONNREFUSED') return 'connection refused';
  if (error.code === 'EHOSTUNREACH' || error.code === 'ENETUNREACH') return 'no route to host';
  if (error.code === 'ETIMEDOUT' || /timed out/i.test(error.message ?? '')) return `no SSH handshake within ${timeoutMs} ms`;
  if (error.level === 'client-authentication') return 'authentication failed (no key or agent identity was accepted)';
  return error.message ?? String(err);
};

/**
 * Open one verified, authenticated SSH connection (directly, or over `sock` when reached through a jump host).
 * Every failure is an UnreachableError naming the endpoint.
 */
export const openSshConnection = async (
  endpoint: SshEndpoint,
  policy: HostKeyPolicy,
  opts: { connectTimeoutMs: number; sock?: Duplex; identities: IdentityStore },
): Promise<SshClient> => {
  const entries = await policy.store.entriesFor(policy.knownHostsFiles, endpoint.host, endpoint.port);
  const knownTypes = entriesForHost(entries, endpoint.host, endpoint.port).map((k) => k.keyType);
  let refusal: string | undefined;
  const hostVerifier = (key: Buffer, verify: (ok: boolean) => void): void => {
    const verdict = verifyHostKey(entries, endpoint.host, endpoint.port, key);
    if (verdict.status === 'match') {
      verify(true);
      return;
    }
    if (verdict.status === 'unknown' && policy.acceptNewHostKeys) {
      policy.store.record(policy.recordFile, verdict.lineToAdd).then(
        () => verify(true),
        (err: Error) => {
          refusal = `cannot record the host key in ${policy.recordFile}: ${err.message}`;
          verify(false);
        },
      );
      return;
    }
    refusal = hostKeyRefusal(verdict, endpoint);
    verify(false);
  };
  const authHandler = await authMethods(endpoint, opts.identities);
  const client = new Client();
  try {
    await new Promise<void>((resolve, reject) => {
      client.on('error', reject);
      // ssh2 reports a lost connection as an error first; should it ever only close, the connect still ends
      client.on('close', () => reject(new Error('the connection closed during the SSH handshake')));
      client.on('ready', () => {
        client.removeAllListeners('error').removeAllListeners('close');
        resolve();
      });
      client.connect({
        host: endpoint.host,
        port: endpoint.port,
        username: endpoint.user,
        sock: opts.sock,
        authHandler,
        hostVerifier,
        readyTimeout: opts.connectTimeoutMs,
        keepaliveInterval: KEEPALIVE_INTERVAL_MS,
        keepaliveCountMax: KEEPALIVE_COUNT_MAX,
        algorithms: { serverHostKey: hostKeyAlgorithms(knownTypes) },
      });
    });
  } catch (err) {
    client.end();
    const reason = refusal ?? describeConnectError(err, opts.connectTimeoutMs);
    throw new UnreachableError(`ssh ${endpointLabel(endpoint)}: ${reason}`, { cause: err });
  }
  // ssh2 follows every error with 'close', which owners watch; an unheard 'error' would crash the process
  client.on('error', () => undefined);
  return client;
};
