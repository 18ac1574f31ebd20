/**
 * The one interface every way of reaching a host implements (local, ssh).
 * Commands are POSIX shell scripts run by `/bin/sh -c` on the host; argv callers quote with `shellJoin`.
 */
import type { Duplex } from 'node:stream';
import type { Stdin } from './stdin.js';

export interface Become {
  user: string;
  /** sudo password, sent on stdin only (never on a command line). */
  password?: string;
}

export interface ExecOptions {
  /** the only way a secret reaches a command; a stream is sent as it is read (a large file never sits in memory) */
  stdin?: Stdin;
  /**
   * Exported in the shell that runs the script, inside become (sudo's environment reset does not drop them).
   * The values travel on stdin, ahead of `stdin`, and never on a command line: a secret (HF_TOKEN) may go here.
   */
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
  become?: Become;
  /** stdout is not only text (an archive): the result carries its exact bytes too, as `stdoutBytes` */
  binary?: boolean;
}

export interface ExecResult {
  code: number;
  stdout: string;
  /** with `binary`: stdout's exact bytes (stdout is them decoded as UTF-8) */
  stdoutBytes?: Buffer;
  stderr: string;
}

export interface PutOptions {
  /** numeric mode such as 0o600; the file is created with it before it becomes visible */
  mode?: number;
  owner?: string;
  group?: string;
  become?: Become;
}

export interface StagedFile {
  /** the temp file holding the content, beside its destination */
  tmp: string;
  /** the temp file is the caller's now: close() no longer removes it */
  release(): void;
}

export interface Transport {
  readonly kind: 'local' | 'ssh';
  /** this is the machine nop runs on (a local transport without a launcher): rebooting it would end the run */
  readonly controller?: boolean;
  /** run a shell script; a non-zero exit is a result, not an error. Throws UnreachableError when the host cannot be reached. */
  exec(script: string, opts?: ExecOptions): Promise<ExecResult>;
  /**
   * Write a file atomically: a temp file `.NAME.nop-<hex>` beside it, its size checked, mode and owner set, then
   * renamed over it. A failed or short write throws naming the errno and the path; the original is untouched
   * and the temp file removed. Stale temp files of that pattern are swept from the directory by the first write
   * into it (the rule: atomic-write.ts STALE_TEMP_MINUTES).
   */
  put(dest: string, content: Buffer | string, opts?: PutOptions): Promise<void>;
  /** copy a local file to the host as `put` does, streaming (large files never sit in memory) */
  putFile(dest: string, localPath: string, opts?: PutOptions): Promise<void>;
  /**
   * Upload a local file as the login user to a new temp file beside dest (tempName), private, for a batch of changes
   * to check and install (op-batch.ts `install`): uploads staged together share one session and are pipelined.
   * The temp file is removed when the upload fails, and by close() until `release` (the batch owns it from then on).
   * ssh only; absent where the batch's own stream is as fast.
   */
  stage?(dest: string, localPath: string): Promise<StagedFile>;
  /** read a whole file; throws when it does not exist */
  get(path: string, opts?: { become?: Become }): Promise<Buffer>;
  /** a TCP stream to host:port as seen from the host (e.g. an API bound to its loopback); ssh only */
  forward?(host: string, port: number): Promise<Duplex>;
  /** end the connection; the temp files of writes still in flight are removed first (an interrupted run) */
  close(): Promise<void>;
}

/** The host could not be reached (connect refused, auth failed, connection dropped): Ansible's UNREACHABLE. */
export class UnreachableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnreachableError';
  }
}
