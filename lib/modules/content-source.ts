import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { PutOptions } from '../transport/transport.js';
import { MAX_DIFF_BYTES, contentSummary, diffText } from './diff-text.js';
import type { ModuleContext } from './module.js';

/** Content a module wants at a path: compared by hash, shown in diffs, written only when it differs. */
export interface ContentSource {
  sha256: string;
  /** what Ansible reports: `checksum` is the SHA-1, `md5sum` the MD5 */
  sha1: string;
  md5: string;
  size: number;
  /** the content as diff text (read lazily: only diffs need it) */
  text(): Promise<string>;
  write(ctx: ModuleContext, dest: string, opts: PutOptions): Promise<void>;
}

export const sha256Of = (content: Buffer | string): string => createHash('sha256').update(content).digest('hex');

/** Content held in memory (copy `content:`, a rendered template, an edited file). */
export const bufferSource = (content: Buffer | string): ContentSource => ({
  sha256: sha256Of(content),
  sha1: createHash('sha1').update(content).digest('hex'),
  md5: createHash('md5').update(content).digest('hex'),
  size: Buffer.byteLength(content),
  text: async () => diffText(Buffer.isBuffer(content) ? content : Buffer.from(content)),
  write: (ctx, dest, opts) => ctx.put(dest, content, opts),
});

const ALGORITHMS = ['sha256', 'sha1', 'md5'] as const;

/** The three digests of a file, in one pass over it. */
const hashFile = (path: string): Promise<Record<(typeof ALGORITHMS)[number], string>> =>
  new Promise((resolve, reject) => {
    const hashes = ALGORITHMS.map((a) => createHash(a));
    createReadStream(path)
      .on('data', (chunk) => hashes.forEach((h) => h.update(chunk)))
      .on('error', reject)
      .on('end', () => resolve({ sha256: hashes[0].digest('hex'), sha1: hashes[1].digest('hex'), md5: hashes[2].digest('hex') }));
  });

/** A file on the controller, hashed and sent streaming so large files never sit in memory. */
export const localFileSource = async (path: string): Promise<ContentSource> => {
  const info = await stat(path);
  if (!info.isFile()) throw new Error(`${path} is not a regular file`);
  const { sha256, sha1, md5 } = await hashFile(path);
  return {
    sha256,
    sha1,
    md5,
    size: info.size,
    text: async () => (info.size <= MAX_DIFF_BYTES ? diffText(await readFile(path)) : contentSummary(info.size, sha256)),
    write: (ctx, dest, opts) => ctx.transport.putFile(dest, path, { become: ctx.become, ...opts }),
  };
};
