import type { Readable } from 'node:stream';
import type { SftpSession, SshClient } from './ssh-connection.js';

/** Promise wrappers over the callback API of an ssh2 SFTP session. */

type Done = (err?: Error | null) => void;

const call = (start: (done: Done) => void): Promise<void> => new Promise((resolve, reject) => start((err) => (err ? reject(err) : resolve())));

// What one write request carries, and how many may be outstanding: ssh2's own fastPut uses 64 × 32 KiB.
const CHUNK_BYTES = 32 * 1024;
const MAX_OUTSTANDING = 64;

/** SFTP v3 status FAILURE: the server hit an errno it has no status code for (ENOSPC, EROFS, EDQUOT, EISDIR…). */
const SFTP_FAILURE = 4;
export const isBareSftpFailure = (err: unknown): boolean => (err as { code?: unknown })?.code === SFTP_FAILURE;

export const openSftp = (client: SshClient): Promise<SftpSession> =>
  new Promise((resolve, reject) => client.sftp((err, sftp) => (err ? reject(err) : resolve(sftp))));

const openNew = (sftp: SftpSession, path: string, mode: number): Promise<Buffer> =>
  new Promise((resolve, reject) => sftp.open(path, 'wx', { mode }, (err, handle) => (err ? reject(err) : resolve(handle))));

/**
 * Write `source` into a new file `path` (created exclusively, never following a planted file, with `mode`).
 * Writes are pipelined; the first failed one (ENOSPC…) fails the upload, whatever the others did: unlike
 * ssh2's write stream, which destroys itself and then drops the error, so a full disk looked like success.
 * The `wx` open is sent synchronously, before this returns its promise.
 */
export const sftpUpload = (sftp: SftpSession, path: string, source: Buffer | Readable, mode: number): Promise<void> => {
  const opened = openNew(sftp, path, mode);
  return opened.then(
    (handle) =>
      new Promise<void>((resolve, reject) => {
        const chunks: AsyncIterable<Buffer> | Iterable<Buffer> = Buffer.isBuffer(source) ? [source] : (source as AsyncIterable<Buffer>);
        let failure: Error | undefined;
        let outstanding = 0;
        let position = 0;
        let wake: (() => void) | undefined;
        const settled = () => wake?.();
        const write = (piece: Buffer) => {
          outstanding++;
          sftp.write(handle, piece, 0, piece.length, position, (err) => {
            outstanding--;
            failure ??= err ?? undefined;
            settled();
          });
          position += piece.length;
        };
        const until = (ready: () => boolean) =>
          new Promise<void>((done) => {
            if (ready()) return done();
            wake = () => {
              if (!ready()) return;
              wake = undefined;
              done();
            };
          });
        const pump = async () => {
          for await (const chunk of chunks) {
            for (let at = 0; at < chunk.length && !failure; at += CHUNK_BYTES) {
              await until(() => outstanding < MAX_OUTSTANDING);
              if (!failure) write(chunk.subarray(at, at + CHUNK_BYTES));
            }
            if (failure) break;
          }
        };
        pump()
          .catch((err: Error) => (failure ??= err))
          .then(() => until(() => outstanding === 0))
          .then(() => {
            if (!Buffer.isBuffer(source) && failure) source.destroy();
            sftp.close(handle, (err) => {
              const first = failure ?? err;
              if (first) reject(first);
              else resolve();
            });
          });
      }),
  );
};

export const sftpSize = (sftp: SftpSession, path: string): Promise<number> =>
  new Promise((resolve, reject) => sftp.lstat(path, (err, attrs) => (err ? reject(err) : resolve(attrs.size))));

export const sftpChmod = (sftp: SftpSession, path: string, mode: number): Promise<void> => call((done) => sftp.chmod(path, mode, done));

export const sftpUnlink = (sftp: SftpSession, path: string): Promise<void> => call((done) => sftp.unlink(path, done));

export const sftpReadFile = (sftp: SftpSession, path: string): Promise<Buffer> =>
  new Promise((resolve, reject) => sftp.readFile(path, (err, data) => (err ? reject(err) : resolve(data))));

/**
 * Atomic replace through posix-rename@openssh.com (plain SFTP rename refuses to overwrite).
 * Returns false when the server lacks the extension so the caller can fall back to `mv -f`.
 */
export const sftpPosixRename = (sftp: SftpSession, from: string, to: string): Promise<boolean> =>
  new Promise((resolve, reject) => {
    try {
      sftp.ext_openssh_rename(from, to, (err) => (err ? reject(err) : resolve(true)));
    } catch {
      resolve(false);
    }
  });
