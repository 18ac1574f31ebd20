import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { PutOptions } from '../transport/transport.js';
import { MAX_DIFF_BYTES, contentSummary, diffText } from './diff-text.js';
import type { ModuleContext } from './module.js';

/** Content a module wants at a path: compared by hash, shown in diffs, written only when it differs. */
export interface ContentSource {
  sha256: string;
  size: number;
  /** the content as diff text (read lazily: only diffs need it) */
  text(): Promise<string>;
  write(ctx: ModuleContext, dest: string, opts: PutOptions): Promise<void>;
}

export const sha256Of = (content: Buffer | string): string => createHash('sha256').update(content).digest('hex');

/** Content held in memory (copy `content:`, a rendered template, an edited file). */
export const bufferSource = (content: Buffer | string): ContentSource => ({
  sha256: sha256Of(content),
  size: Buffer.byteLength(content),
  text: async () => diffText(Buffer.isBuffer(content) ? content : Buffer.from(content)),
  write: (ctx, dest, opts) => ctx.put(dest, content, opts),
});

const hashFile = (path: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });

/** A file on the controller, hashed and sent streaming so large files never sit in memory. */
export const localFileSource = async (path: string): Promise<ContentSource> => {
  const info = await stat(path);
  if (!info.isFile()) throw new Error(`${path} is not a regular file`);
  const sha256 = await hashFile(path);
  return {
    sha256,
    size: info.size,
    text: async () => (info.size <= MAX_DIFF_BYTES ? diffText(await readFile(path)) : contentSummary(info.size, sha256)),
    write: (ctx, dest, opts) => ctx.transport.putFile(dest, path, { become: ctx.become, ...opts }),
  };
};
