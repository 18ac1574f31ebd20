import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { shellJoin } from './shell-quote.js';
import type { PutOptions } from './transport.js';

/** The temp name a write uses beside its destination: `.NAME.nop-<12 hex>`, renamed over NAME when complete. */
export const tempName = (dest: string): string => join(dirname(dest), `.${basename(dest)}.nop-${randomBytes(6).toString('hex')}`);

export const ownershipScript = (path: string, opts: PutOptions): string => {
  const owner = opts.owner ? `${opts.owner}${opts.group ? `:${opts.group}` : ''}` : opts.group ? `:${opts.group}` : '';
  return owner ? `chown ${shellJoin([owner, path])}` : 'true';
};

/** What an install script needs to know about the content it reads from stdin. */
export interface InstallTarget {
  dest: string;
  /** the temp file beside dest (from tempName) */
  tmp: string;
  /** the exact number of bytes that will arrive on stdin */
  size: number;
  opts: PutOptions;
}

/**
 * A POSIX sh script that installs its stdin as `dest`, for every write that goes through a command (become,
 * a launcher): the content is written to a private temp file beside dest (umask 077, never following a planted
 * file: noclobber), its size checked against what was sent (a stream cut short leaves a short file behind
 * `cat` exiting 0), mode and owner set, then renamed over dest. Any failure removes the temp file and exits 1
 * with the tool's own message on stderr, which names the errno ("No space left on device").
 */
export const installScript = ({ dest, tmp, size, opts }: InstallTarget): string => {
  const [t, d] = [shellJoin([tmp]), shellJoin([dest])];
  const mode = (opts.mode ?? 0o644).toString(8);
  return [
    'umask 077',
    'set -C',
    `cat > ${t} || { rm -f ${t}; exit 1; }`,
    `written=$(wc -c < ${t}) || { rm -f ${t}; exit 1; }`,
    `[ "$written" -eq ${size} ] || { echo "short write: $written of ${size} bytes arrived" >&2; rm -f ${t}; exit 1; }`,
    `{ chmod ${mode} ${t} && ${ownershipScript(tmp, opts)} && mv -f ${t} ${d}; } || { rm -f ${t}; exit 1; }`,
  ].join('\n');
};

/** A script printing a file as base64 (command output is text): how files are read through a command. */
export const readScript = (path: string): string => `base64 < ${shellJoin([path])}`;
