import { tempName } from '../transport/atomic-write.js';
import { shellJoin } from '../transport/shell-quote.js';
import type { PutOptions } from '../transport/transport.js';
import { formatMode } from './arg-types.js';
import type { ContentSource } from './content-source.js';
import { MAX_DIFF_BYTES, contentSummary, diffText } from './diff-text.js';
import { execChecked } from './exec-checked.js';

export interface RemoteDigests {
  sha256: string;
  sha1: string;
  md5: string;
  size: number;
}

/** `cp` on the host into a temp file beside dest, mode and owner set, then renamed over dest; a failure leaves dest alone. */
const copyScript = (src: string, dest: string, opts: PutOptions): string => {
  const tmp = tempName(dest);
  const q = (s: string) => shellJoin([s]);
  const owner = opts.owner || opts.group ? `${opts.owner ?? ''}${opts.group ? `:${opts.group}` : ''}` : undefined;
  return [
    `set -- ${shellJoin([src, tmp, dest])}`,
    '{',
    `  cp -- "$1" "$2" && chmod ${formatMode(opts.mode ?? 0o644)} -- "$2"${owner ? ` && chown ${q(owner)} -- "$2"` : ''} && mv -fT -- "$2" "$3"`,
    '} || { rc=$?; rm -f -- "$2"; exit "$rc"; }',
  ].join('\n');
};

/**
 * A file already on the host (copy remote_src): compared by its digests, copied on the host, never through the
 * controller. `read` gives its bytes for a diff (small files only; large ones are summarized).
 */
export const remoteFileSource = (src: string, digests: RemoteDigests, read: () => Promise<Buffer | null>): ContentSource => ({
  ...digests,
  text: async () => (digests.size <= MAX_DIFF_BYTES ? diffText(await read()) : contentSummary(digests.size, digests.sha256)),
  write: async (ctx, dest, opts) => void (await execChecked(ctx, copyScript(src, dest, opts))),
});
