import { shellJoin } from '../../transport/shell-quote.js';
import { defineFact, FactError } from '../fact.js';
import { tarMembers } from '../tar-members.js';
import { unreadable } from './file-checksum.js';
import { fileStat } from './file-stat.js';

// tar's member names for what it was given: -P keeps a leading /, but "./a//b" may come back as "a/b"
const normalized = (path: string): string =>
  path
    .replace(/\/{2,}/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/\/(\.\/)+/g, '/');

/**
 * A regular file's bytes (for modules that edit a file in place); null when absent or not a regular file.
 * Every readable file travels in one tar archive, base64-encoded (command output is text): two processes for
 * any number of files, where a base64 per file cost one each.
 */
export const fileContent = defineFact<string, Buffer | null>({
  name: 'file_content',
  // builtins pick the readable regular files (following a link, as reading does) and name them in order; tar
  // archives the files themselves (-h), each hard link with its content (--hard-dereference)
  command: (paths) => `set -- ${shellJoin(paths)}
n=$#
for p; do
  if [ -f "$p" ]; then
    if [ -r "$p" ]; then set -- "$@" "$p"; printf 'file\\0%s\\0' "$p"; else printf 'unreadable\\0%s\\0' "$p"; fi
  fi
done
shift "$n"
[ "$#" -eq 0 ] || { printf 'tar\\0'; tar -c -f - -P -h --hard-dereference --no-recursion -- "$@" | base64 -w0; }`,
  parse: ({ stdout }, paths) => {
    const contents = new Map<string, Buffer | Error>();
    const files: string[] = [];
    const records = stdout.split('\0');
    for (let i = 0; i < records.length; i++) {
      if (records[i] === 'unreadable') contents.set(records[i + 1], unreadable(records[++i]));
      else if (records[i] === 'file') files.push(records[++i]);
      else if (records[i] === 'tar') {
        const members = tarMembers(Buffer.from(records[i + 1] ?? '', 'base64')).filter((m) => m.type === '0' || m.type === '7');
        const byName = new Map(members.map((m) => [normalized(m.name), m.content]));
        // in order when every file made it into the archive; by name when one vanished on the way
        files.forEach((file, j) => {
          const content = members.length === files.length ? members[j].content : byName.get(normalized(file));
          contents.set(file, content ?? new FactError('file_content', `${file} could not be read (it changed while being read?)`));
        });
        break;
      }
    }
    return paths.map((p) => contents.get(p) ?? null);
  },
  key: (path) => path,
  affects: fileStat.affects,
});
