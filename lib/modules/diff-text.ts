import { createHash } from 'node:crypto';

/** Ansible's max_diff_size: larger files are summarized, not diffed. */
export const MAX_DIFF_BYTES = 104_448;

/** File content as diff text; binary or large content becomes a one-line summary. */
export const diffText = (content: Buffer | string | null): string => {
  if (content === null) return '';
  const buf = Buffer.isBuffer(content) ? content : Buffer.from(content);
  if (buf.length <= MAX_DIFF_BYTES && !buf.includes(0)) return buf.toString('utf8');
  return contentSummary(buf.length, createHash('sha256').update(buf).digest('hex'));
};

/** The one-line stand-in for content too large or too binary to diff. */
export const contentSummary = (size: number, sha256: string): string => `(binary or large content: ${size} bytes, sha256 ${sha256})\n`;
