import type { SftpSession, SshClient } from './ssh-connection.js';

/** Promise wrappers over the callback API of an ssh2 SFTP session. */

type Done = (err?: Error | null) => void;

const call = (start: (done: Done) => void): Promise<void> => new Promise((resolve, reject) => start((err) => (err ? reject(err) : resolve())));

export const openSftp = (client: SshClient): Promise<SftpSession> =>
  new Promise((resolve, reject) => client.sftp((err, sftp) => (err ? reject(err) : resolve(sftp))));

/** Create `path` exclusively (never following a planted file) with `mode`, holding `content`. */
export const sftpWriteNew = (sftp: SftpSession, path: string, content: Buffer, mode: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const stream = sftp.createWriteStream(path, { flags: 'wx', mode });
    stream.on('error', reject);
    stream.on('close', () => resolve());
    stream.end(content);
  });

/** Parallel-chunked upload of a local file; `mode` is applied before the first byte is written. */
export const sftpFastPut = (sftp: SftpSession, localPath: string, path: string, mode: number): Promise<void> =>
  call((done) => sftp.fastPut(localPath, path, { mode }, done));

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
