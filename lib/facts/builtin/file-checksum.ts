import { shellJoin } from '../../transport/shell-quote.js';
import { defineFact } from '../fact.js';
import { fileStat } from './file-stat.js';

export const unreadable = (path: string): Error => new Error(`cannot read ${path}: permission denied (become a user who can, e.g. become: true)`);

/** The sha256 of a regular file's content; null when the path is not a regular file. Unreadable is an error. */
export const fileChecksum = defineFact<string, string | null>({
  name: 'file_checksum',
  // builtins pick the regular files (no process per path); one sha256sum hashes them all. -z: NUL-terminated
  // lines and no escaping, so names with a backslash or a newline come back as they are
  command: (paths) => `set -- ${shellJoin(paths)}
n=$#
for p; do
  if [ -f "$p" ] && [ ! -L "$p" ]; then
    if [ -r "$p" ]; then set -- "$@" "$p"; else printf 'unreadable\\0%s\\0' "$p"; fi
  fi
done
shift "$n"
[ "$#" -eq 0 ] || sha256sum -z -- "$@"`,
  parse: ({ stdout }, paths) => {
    const sums = new Map<string, string | Error>();
    const records = stdout.split('\0');
    for (let i = 0; i < records.length; i++) {
      const m = /^([0-9a-f]{64}) [ *](.*)$/s.exec(records[i]);
      if (m) sums.set(m[2], m[1]);
      else if (records[i] === 'unreadable') sums.set(records[++i], unreadable(records[i]));
    }
    return paths.map((p) => sums.get(p) ?? null);
  },
  key: (path) => path,
  affects: fileStat.affects,
});
