import { shellJoin } from '../../transport/shell-quote.js';
import { defineFact } from '../fact.js';
import { unreadable } from './file-checksum.js';
import { fileStat } from './file-stat.js';

/** A regular file's bytes (for modules that edit a file in place); null when absent or not a regular file. */
export const fileContent = defineFact<string, Buffer | null>({
  name: 'file_content',
  command: (paths) => `for p in ${shellJoin(paths)}; do
  if [ -f "$p" ]; then
    [ -r "$p" ] || { printf 'unreadable\\0%s\\0' "$p"; continue; }
    printf 'file\\0%s\\0' "$p"; base64 -w0 -- "$p"; printf '\\0'
  fi
done`,
  parse: ({ stdout }, paths) => {
    const contents = new Map<string, Buffer | Error>();
    const records = stdout.split('\0');
    for (let i = 0; i + 1 < records.length; i += 2) {
      if (records[i] === 'unreadable') contents.set(records[i + 1], unreadable(records[i + 1]));
      if (records[i] !== 'file') continue;
      contents.set(records[i + 1], Buffer.from(records[i + 2] ?? '', 'base64'));
      i++;
    }
    return paths.map((p) => contents.get(p) ?? null);
  },
  key: (path) => path,
  affects: fileStat.affects,
});
