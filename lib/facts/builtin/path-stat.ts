import { shellJoin } from '../../transport/shell-quote.js';
import { defineFact } from '../fact.js';
import { fileStat } from './file-stat.js';

/** Which path, and whether a symbolic link is followed (stat) or described itself (lstat). */
export interface PathStatArg {
  path: string;
  follow: boolean;
}

/** Everything `stat(2)` says about a path, as the reader sees it, plus its access and link details. */
export interface PathStat {
  exists: boolean;
  /** the st_mode bits (type and permissions) */
  rawMode?: number;
  uid?: number;
  gid?: number;
  owner?: string;
  group?: string;
  size?: number;
  inode?: number;
  dev?: number;
  nlink?: number;
  atime?: number;
  mtime?: number;
  ctime?: number;
  blocks?: number;
  blockSize?: number;
  deviceType?: number;
  readable?: boolean;
  writeable?: boolean;
  executable?: boolean;
  /** a link's own target (readlink) and where it resolves to (realpath) */
  linkTarget?: string;
  linkSource?: string;
}

const FORMAT = '%n\\0%f\\0%u\\0%g\\0%U\\0%G\\0%s\\0%i\\0%d\\0%h\\0%.9X\\0%.9Y\\0%.9Z\\0%b\\0%o\\0%t\\0%T\\0';
const FIELDS = 17;
const UNKNOWN = 'UNKNOWN';

// one stat for the links described, one for the links followed, then per path the access checks and link details;
// every field ends in NUL (any byte a name may hold is safe) and an empty field ends a section (no name is empty)
const commandFor = (args: readonly PathStatArg[]): string => {
  const plain = args.filter((a) => !a.follow).map((a) => a.path);
  const followed = args.filter((a) => a.follow).map((a) => a.path);
  const stat = (flags: string, paths: string[]) => (paths.length ? `stat ${flags}--printf '${FORMAT}' -- ${shellJoin(paths)} 2>/dev/null; ` : '');
  return `${stat('', plain)}printf '\\0'
${stat('-L ', followed)}printf '\\0'
for p in ${shellJoin(args.map((a) => a.path))}; do
  a=; [ -r "$p" ] && a=r; [ -w "$p" ] && a="\${a}w"; [ -x "$p" ] && a="\${a}x"
  t=; s=; if [ -L "$p" ]; then t=$(readlink -- "$p"; printf x); t=\${t%?}; t=\${t%
}; s=$(realpath -m -- "$p"); fi
  printf '%s\\0%s\\0%s\\0' "$a" "$t" "$s"
done; true`;
};

/** Records of FIELDS fields from `from` up to the empty field that ends the section; returns where the next starts. */
const readSection = (fields: string[], from: number): { stats: Map<string, PathStat>; next: number } => {
  const stats = new Map<string, PathStat>();
  let i = from;
  while (i < fields.length && fields[i] !== '') {
    stats.set(fields[i], parseRecord(fields.slice(i, i + FIELDS)));
    i += FIELDS;
  }
  return { stats, next: i + 1 };
};

function parseRecord(record: string[]): PathStat {
  const [, mode, uid, gid, owner, group, size, inode, dev, nlink, atime, mtime, ctime, blocks, blockSize, major, minor] = record;
  return {
    exists: true,
    rawMode: Number.parseInt(mode, 16),
    uid: Number(uid),
    gid: Number(gid),
    owner: owner === UNKNOWN ? undefined : owner,
    group: group === UNKNOWN ? undefined : group,
    size: Number(size),
    inode: Number(inode),
    dev: Number(dev),
    nlink: Number(nlink),
    atime: Number(atime),
    mtime: Number(mtime),
    ctime: Number(ctime),
    blocks: Number(blocks),
    blockSize: Number(blockSize),
    deviceType: Number.parseInt(major, 16) * 256 + Number.parseInt(minor, 16),
  };
}

/** A path's full stat (Ansible's stat module), following links or not, with one `stat` process for all paths. */
export const pathStat = defineFact<PathStatArg, PathStat>({
  name: 'path_stat',
  command: commandFor,
  parse: ({ stdout }, args) => {
    const fields = stdout.split('\0');
    const plain = readSection(fields, 0);
    const followed = readSection(fields, plain.next);
    const access = fields.slice(followed.next);
    return args.map((arg, i) => {
      const st = (arg.follow ? followed : plain).stats.get(arg.path);
      if (!st) return { exists: false };
      const [perm = '', target = '', source = ''] = access.slice(3 * i, 3 * i + 3);
      const isLink = (st.rawMode! & 0o170000) === 0o120000;
      return {
        ...st,
        readable: perm.includes('r'),
        writeable: perm.includes('w'),
        executable: perm.includes('x'),
        ...(isLink ? { linkTarget: target, linkSource: source } : {}),
      };
    });
  },
  key: (a) => `${a.follow ? 'L' : 'P'}${a.path}`,
  affects: (changed, cached) => fileStat.affects!(changed.path, cached.path) || cached.follow,
});
