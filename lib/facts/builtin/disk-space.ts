import type { DiskSpace } from '../../gpu/facts.js';
import { shellJoin } from '../../transport/shell-quote.js';
import { defineFact } from '../fact.js';

// df on the nearest existing directory: a deploy dir or HF_HOME may not exist yet on a bare host
const SCRIPT = (paths: readonly string[]) => `nearest() { p=$1; while [ ! -d "$p" ] && [ "$p" != / ]; do p=$(dirname -- "$p"); done; printf '%s' "$p"; }
for p in ${shellJoin(paths)}; do
  d=$(nearest "$p")
  printf '%s\\0%s\\0' "$p" "$d"
  df -PB1 -- "$d" 2>&1 | sed -n 2p
  printf '\\0'
done`;

/** Free space where a path is (or would be created): the file system of its nearest existing directory. */
export const diskSpace = defineFact<string, DiskSpace>({
  name: 'disk_space',
  command: (paths) => SCRIPT(paths),
  parse: ({ stdout }, paths) => {
    const fields = stdout.split('\0');
    return paths.map((path, i) => {
      const [, measured = '', row = ''] = fields.slice(i * 3, i * 3 + 3);
      const cols = row.trim().split(/\s+/);
      if (cols.length < 6 || !/^\d+$/.test(cols[3])) return new Error(`df failed for ${path}: ${row.trim() || 'no output'}`);
      return { path, measured, available_bytes: Number(cols[3]), mount: cols.slice(5).join(' ') };
    });
  },
  key: (path) => path,
});
