import { shellJoin } from '../../transport/shell-quote.js';
import { defineFact } from '../fact.js';

/** A .deb file's package name and version (dpkg-deb), or null when it cannot be read. */
export const debInfo = defineFact<string, { name: string; version: string } | null>({
  name: 'deb_info',
  command: (paths) => `for p in ${shellJoin(paths)}; do printf '%s\\0' "$(dpkg-deb -f "$p" Package Version 2>/dev/null | tr '\\n' ' ')"; done`,
  parse: ({ stdout }, paths) => {
    const fields = stdout.split('\0');
    return paths.map((_, i) => {
      const m = /^Package: (\S+) Version: (\S+)/.exec(fields[i] ?? '');
      return m ? { name: m[1], version: m[2] } : null;
    });
  },
  key: (p) => p,
});
