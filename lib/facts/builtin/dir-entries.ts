import { shellJoin } from '../../transport/shell-quote.js';
import { defineFact } from '../fact.js';

/** A directory walked: how deep (undefined: all the way), following links to directories or not. */
export interface DirWalkArg {
  path: string;
  maxdepth?: number;
  follow?: boolean;
}

export interface DirEntry {
  path: string;
  name: string;
  /** 1 for the directory's own entries */
  depth: number;
  type: 'file' | 'directory' | 'link' | 'char' | 'block' | 'fifo' | 'socket' | 'other';
  /** permission bits, setuid/setgid/sticky included */
  mode: number;
  uid: number;
  gid: number;
  /** '' when the id has no name */
  owner: string;
  group: string;
  size: number;
  inode: number;
  dev: number;
  nlink: number;
  atime: number;
  mtime: number;
  ctime: number;
}

export interface DirWalk {
  /** the path is a directory the reader can walk */
  isDir: boolean;
  /** why it could not be walked */
  error?: string;
  entries: DirEntry[];
  /** the host's clock when it was walked (ages are measured against it) */
  now: number;
}

const TYPES: Record<string, DirEntry['type']> = { f: 'file', d: 'directory', l: 'link', c: 'char', b: 'block', p: 'fifo', s: 'socket' };
const FORMAT = '%p\\0%f\\0%d\\0%y\\0%m\\0%U\\0%G\\0%u\\0%g\\0%s\\0%i\\0%D\\0%n\\0%A@\\0%T@\\0%C@\\0';
const FIELDS = 16;

// per directory: a head field (D, or E and why it cannot be walked), its entries' records, then an empty field
// (no record starts with one: %p is never empty); the host's clock last
const walkOne = (a: DirWalkArg): string => `p=${shellJoin([a.path])}
if [ ! -d "$p" ]; then printf 'E%s\\0' "'$p' is not a directory"
elif [ ! -r "$p" ] || [ ! -x "$p" ]; then printf 'E%s\\0' "[Errno 13] Permission denied: '$p'"
else printf 'D\\0'; find ${a.follow ? '-L ' : ''}"$p" -mindepth 1 ${a.maxdepth === undefined ? '' : `-maxdepth ${a.maxdepth} `}-printf '${FORMAT}' 2>/dev/null; fi
printf '\\0'`;

const numericName = (name: string, id: string) => (name === id ? '' : name);

const parseEntry = (record: string[]): DirEntry => {
  const [path, name, depth, y, mode, uid, gid, owner, group, size, inode, dev, nlink, atime, mtime, ctime] = record;
  return {
    path,
    name,
    depth: Number(depth),
    type: TYPES[y] ?? 'other',
    mode: Number.parseInt(mode, 8),
    uid: Number(uid),
    gid: Number(gid),
    owner: numericName(owner, uid),
    group: numericName(group, gid),
    size: Number(size),
    inode: Number(inode),
    dev: Number(dev),
    nlink: Number(nlink),
    atime: Number(atime),
    mtime: Number(mtime),
    ctime: Number(ctime),
  };
};

const within = (inner: string, outer: string) => inner === outer || inner.startsWith(outer.endsWith('/') ? outer : `${outer}/`);

/** Every entry below directories (find(1), one process per directory, every stat field in one pass). */
export const dirEntries = defineFact<DirWalkArg, DirWalk>({
  name: 'dir_entries',
  command: (args) => `${args.map(walkOne).join('\n')}\ndate +%s.%N`,
  parse: ({ stdout }, args) => {
    const fields = stdout.split('\0');
    const now = Number(fields.at(-1)?.trim());
    let i = 0;
    return args.map((): DirWalk => {
      const head = fields[i++] ?? '';
      const entries: DirEntry[] = [];
      while (i < fields.length - 1 && fields[i] !== '') {
        entries.push(parseEntry(fields.slice(i, i + FIELDS)));
        i += FIELDS;
      }
      i++;
      return head === 'D' ? { isDir: true, entries, now } : { isDir: false, error: head.slice(1), entries: [], now };
    });
  },
  // a change anywhere below (or above) a walked directory changes what the walk finds
  affects: (changed, cached) => within(changed.path, cached.path) || within(cached.path, changed.path),
});
