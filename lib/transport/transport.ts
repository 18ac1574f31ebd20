/**
 * The one interface every way of reaching a host implements (local, ssh).
 * Commands are POSIX shell scripts run by `/bin/sh -c` on the host; argv callers quote with `shellJoin`.
 */
import type { Duplex } from 'node:stream';

export interface Become {
  user: string;
  /** sudo password, sent on stdin only (never on a command line). */
  password?: string;
}

export interface ExecOptions {
  /** the only way a secret reaches a command */
  stdin?: string | Buffer;
  /** never secrets: over SSH these become part of the remote command line, visible in the host's process list */
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
  become?: Become;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface PutOptions {
  /** numeric mode such as 0o600; the file is created with it before it becomes visible */
  mode?: number;
  owner?: string;
  group?: string;
  become?: Become;
}

export interface Transport {
  readonly kind: 'local' | 'ssh';
  /** run a shell script; a non-zero exit is a result, not an error. Throws UnreachableError when the host cannot be reached. */
  exec(script: string, opts?: ExecOptions): Promise<ExecResult>;
  /** write a file atomically (temp file in the same directory, then rename) */
  put(dest: string, content: Buffer | string, opts?: PutOptions): Promise<void>;
  /** copy a local file to the host atomically, streaming (large files never sit in memory) */
  putFile(dest: string, localPath: string, opts?: PutOptions): Promise<void>;
  /** read a whole file; throws when it does not exist */
  get(path: string, opts?: { become?: Become }): Promise<Buffer>;
  /** a TCP stream to host:port as seen from the host (e.g. an API bound to its loopback); ssh only */
  forward?(host: string, port: number): Promise<Duplex>;
  close(): Promise<void>;
}

/** The host could not be reached (connect refused, auth failed, connection dropped): Ansible's UNREACHABLE. */
export class UnreachableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnreachableError';
  }
}
