import { shellJoin } from '../../transport/shell-quote.js';
import { defineFact } from '../fact.js';
import { fileStat } from './file-stat.js';

export const DIGESTS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
export type DigestAlgorithm = (typeof DIGESTS)[number];

export interface FileDigestArg {
  path: string;
  algorithm: DigestAlgorithm;
  /** hash what a symbolic link points to (stat follow=true) */
  follow?: boolean;
}

// one coreutils *sum per algorithm for every path that wants it; -z: NUL-terminated lines, no escaping
const sectionFor = (algorithm: DigestAlgorithm, args: readonly FileDigestArg[]): string => `set -- ${shellJoin(args.map((a) => a.path))}
n=$#
for p; do [ -f "$p" ] && [ -r "$p" ] && set -- "$@" "$p"; done
shift "$n"
printf '%s\\0' ${algorithm}
[ "$#" -eq 0 ] || ${algorithm}sum -z -- "$@" 2>/dev/null
printf '\\0'`;

/** A readable regular file's digest with the given algorithm (what a link points to); null for anything else. */
export const fileDigest = defineFact<FileDigestArg, string | null>({
  name: 'file_digest',
  command: (args) =>
    DIGESTS.filter((d) => args.some((a) => a.algorithm === d))
      .map((d) =>
        sectionFor(
          d,
          args.filter((a) => a.algorithm === d),
        ),
      )
      .join('\n'),
  parse: ({ stdout }, args) => {
    const sums = new Map<string, string>();
    let algorithm = '';
    for (const record of stdout.split('\0')) {
      if ((DIGESTS as readonly string[]).includes(record)) algorithm = record;
      const m = /^([0-9a-f]+) [ *](.*)$/s.exec(record);
      if (m) sums.set(`${algorithm}\0${m[2]}`, m[1]);
    }
    return args.map((a) => sums.get(`${a.algorithm}\0${a.path}`) ?? null);
  },
  key: (a) => `${a.algorithm}\0${a.path}`,
  // a link is followed: what it points to may be anywhere
  affects: (changed, cached) => fileStat.affects!(changed.path, cached.path) || cached.follow === true,
});
