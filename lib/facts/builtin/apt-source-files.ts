import { defineFact } from '../fact.js';

/** apt's one-line source files (sources.list and sources.list.d/*.list) and their text, path → content. */
export const aptSourceFiles = defineFact<void, Map<string, string>>({
  name: 'apt_source_files',
  command: () => `for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
  [ -f "$f" ] || continue
  printf '%s\\0' "$f"; base64 -w0 -- "$f"; printf '\\0'
done`,
  parse: ({ stdout }, args) => {
    const files = new Map<string, string>();
    const f = stdout.split('\0');
    for (let i = 0; i + 1 < f.length; i += 2) files.set(f[i], Buffer.from(f[i + 1], 'base64').toString('utf8'));
    return args.map(() => files);
  },
  key: () => 'sources',
});
