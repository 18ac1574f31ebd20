import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { shellJoin } from './shell-quote.js';
import type { PutOptions } from './transport.js';

/** The temp name a write uses beside its destination: `.NAME.nop-<12 hex>`, renamed over NAME when complete. */
export const tempName = (dest: string): string => join(dirname(dest), `.${basename(dest)}.nop-${randomBytes(6).toString('hex')}`);

/** nop's own temp names, and nothing else: `.NAME.nop-` and exactly 12 lowercase hex digits. */
export const TEMP_PATTERN = /^\..+\.nop-[0-9a-f]{12}$/;

/**
 * When a temp file of nop's pattern counts as a leftover (an interrupted or killed run), to be swept by the next
 * write into its directory: not modified for this long. A live write keeps its temp's mtime fresh (every chunk
 * written updates it) and renames it within moments of the last chunk; a connection that stalls is dropped by
 * the SSH keepalive within a minute. So a temp idle for an hour belongs to no writer still running, while a
 * concurrent writer's temp (another nop run, another host of the same NFS share) is never touched.
 */
export const STALE_TEMP_MINUTES = 60;

// find takes its starting points first: a relative one must not look like an option or an expression
const startingPoint = (dir: string) => (dir.startsWith('/') ? dir : `./${dir}`);

/**
 * A find(1) that removes stale temp files of nop's pattern from the directories, judged by the host's own clock. Only
 * the directories that exist are searched, and none is no find at all: a first run writes into directories it makes
 * itself (a process fewer per host).
 */
export const sweepScript = (...dirs: string[]): string =>
  [
    `(set --; for __nop_d in ${shellJoin(dirs.map(startingPoint))}; do [ -d "$__nop_d" ] && set -- "$@" "$__nop_d"; done`,
    `[ "$#" -eq 0 ] || find "$@" -maxdepth 1 -type f -name '.?*.nop-${'[0-9a-f]'.repeat(12)}' -mmin +${STALE_TEMP_MINUTES} -exec rm -f {} + 2>/dev/null; true)`,
  ].join('\n');

export const ownershipScript = (path: string, opts: PutOptions): string => {
  const owner = opts.owner ? `${opts.owner}${opts.group ? `:${opts.group}` : ''}` : opts.group ? `:${opts.group}` : '';
  return owner ? `chown ${shellJoin([owner, path])}` : 'true';
};

/** What a put writes: bytes in memory, or a local file streamed from disk (never held in memory). */
export type Content = { bytes: Buffer } | { path: string };

export const sizeOf = async (content: Content): Promise<number> => ('bytes' in content ? content.bytes.length : (await stat(content.path)).size);

export const streamOf = (content: Content): Buffer | Readable => ('bytes' in content ? content.bytes : createReadStream(content.path));

/** What an install script needs to know about the content it reads from stdin. */
export interface InstallTarget {
  dest: string;
  /** the temp file beside dest (from tempName) */
  tmp: string;
  /** the exact number of bytes that will arrive on stdin */
  size: number;
  opts: PutOptions;
  /** first sweep stale temp files from dest's directory */
  sweep?: boolean;
}

/**
 * A POSIX sh script that installs its stdin as `dest`, for every write that goes through a command (become,
 * a launcher, the follow-up of a bare SFTP failure): the content is written to a private temp file beside dest
 * (umask 077, never following a planted file: noclobber), its size checked against what was sent (a sender cut
 * off mid-way, e.g. an interrupted run, leaves a short file behind a `cat` that exits 0), mode and owner set,
 * then renamed over dest (`-T`: a directory at dest is an error, never a place to move into). Any failure
 * removes the temp file first (before anything is printed: the reader may be gone, and printing would then kill
 * the shell) and exits 1 with the tool's own message, which names the errno ("No space left on device").
 */
export const installScript = ({ dest, tmp, size, opts, sweep }: InstallTarget): string => {
  const [t, d] = [shellJoin([tmp]), shellJoin([dest])];
  const mode = (opts.mode ?? 0o644).toString(8);
  return [
    ...(sweep ? [sweepScript(dirname(dest))] : []),
    'umask 077',
    'set -C',
    `cat > ${t} || { rm -f ${t}; exit 1; }`,
    `written=$(wc -c < ${t}) || { rm -f ${t}; exit 1; }`,
    `[ "$written" -eq ${size} ] || { rm -f ${t}; echo "size check failed: $written bytes written, ${size} expected" >&2; exit 1; }`,
    `{ chmod ${mode} ${t} && ${ownershipScript(tmp, opts)} && mv -fT ${t} ${d}; } || { rm -f ${t}; exit 1; }`,
  ].join('\n');
};

/** A script printing a file as base64 (command output is text): how files are read through a command. */
export const readScript = (path: string): string => `base64 < ${shellJoin([path])}`;
