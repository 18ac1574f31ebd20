import { shellJoin } from '../../transport/shell-quote.js';
import { defineFact } from '../fact.js';
import { fileStat } from './file-stat.js';

export interface FileMime {
  mimetype: string;
  charset: string;
}

const UNKNOWN: FileMime = { mimetype: 'unknown', charset: 'unknown' };

/** A path's MIME type and charset as `file(1)` sees them (Ansible's stat get_mime); unknown without `file`. */
export const fileMime = defineFact<string, FileMime>({
  name: 'file_mime',
  // -0: a NUL after each name, so any name parses; one process for every path
  command: (paths) => `command -v file >/dev/null 2>&1 || exit 0
file -0 --mime-type --mime-encoding -- ${shellJoin(paths)} 2>/dev/null; true`,
  parse: ({ stdout }, paths) => {
    const found = new Map<string, FileMime>();
    const parts = stdout.split('\0');
    for (let i = 0; i + 1 < parts.length; i++) {
      const name = i === 0 ? parts[0] : parts[i].slice(parts[i].indexOf('\n') + 1);
      const m = /^:?\s*([^;\n]+);\s*charset=([^\n]+)/.exec(parts[i + 1]);
      if (m) found.set(name, { mimetype: m[1].trim(), charset: m[2].trim() });
    }
    return paths.map((p) => found.get(p) ?? UNKNOWN);
  },
  key: (path) => path,
  affects: fileStat.affects,
});
