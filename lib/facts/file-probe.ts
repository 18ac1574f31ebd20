import { createHash } from 'node:crypto';
import { shellJoin } from '../transport/shell-quote.js';
import type { FileState } from './builtin/file-stat.js';
import type { Identity } from './builtin/identity.js';
import { type FactDefinition, FactError, type FactOutput, type Joint, type JointPart } from './fact.js';
import { tarMembers } from './tar-members.js';

/**
 * What a file task wants to know about a host, read by one script: one `find` for the stat of every path, the size
 * of every file to checksum or read and (through its own /proc/self) the reader's identity; the shell reads small
 * text files itself (hashed here when a checksum is wanted); one `tar` carries any other file to read or to hash
 * here, and one `sha256sum` hashes big files on the host. A no-change run of a file play whose files are small text
 * costs the host one process, however many paths it names.
 */
export interface ProbeWants {
  stat: readonly string[];
  checksum: readonly string[];
  content: readonly string[];
  identity: boolean;
}

export interface ProbeFound {
  stat: Map<string, FileState>;
  checksum: Map<string, string | Error>;
  content: Map<string, Buffer | Error>;
  identity?: Identity | Error;
}

/** Files to checksum up to this size are read and hashed on the controller; bigger ones are hashed on the host. */
export const HASHED_HERE_MAX = 64 * 1024;

export const unreadable = (path: string): Error => new Error(`cannot read ${path}: permission denied (become a user who can, e.g. become: true)`);

// find prints its starting points in order; a relative one must not look like an option or an expression
export const startingPoint = (path: string): string => (path.startsWith('/') ? path : `./${path}`);

const TYPES: Record<string, FileState['type']> = { f: 'file', d: 'directory', l: 'link' };
const STAT_FIELDS = 9;
// every field ends in NUL: any byte a name may hold is safe
const STAT_FORMAT = 'stat\\0%p\\0%y\\0%m\\0%u\\0%g\\0%U\\0%G\\0%s\\0%l\\0';

// find runs even for no path: its record of / shows it ran (a host without find must not look empty). It tells the
// shell each size through a pipe it opens as /dev/fd/3; where there is none (no /proc), every file is hashed on the
// host and read by tar. IFS is set: an `environment:` of the play must not change how the index lists split; so is
// LC_ALL, for a shell that would count characters where ${#c} must count bytes (bash as sh).
// Positional parameters hold the paths (any byte but NUL); lists of them are kept as their indices, digits only, and
// `refs` turns indices into `"${N}"` references that `eval` expands back into the quoted parameters: no path's text
// is ever parsed as shell. Layout of "$@": the paths to checksum, then the paths to read, then the paths to stat.
const script = (wants: ProbeWants): string => {
  const c = wants.checksum.length;
  const t = wants.content.length;
  const all = [...wants.checksum, ...wants.content, ...wants.stat].map(startingPoint);
  return `IFS=' '
LC_ALL=C
set -- ${shellJoin(all)}
sums=; reads=; stats=; i=0
for p; do
  i=$((i + 1))
  if [ "$i" -le ${c} ]; then
    if [ -f "$p" ] && [ ! -L "$p" ]; then
      if [ -r "$p" ]; then sums="$sums $i"; else printf 'unreadable-checksum\\0%s\\0' "$p"; fi
    fi
  elif [ "$i" -le ${c + t} ]; then
    if [ -f "$p" ]; then
      if [ -r "$p" ]; then reads="$reads $i"; else printf 'unreadable-content\\0%s\\0' "$p"; fi
    fi
  else stats="$stats $i"
  fi
done
refs() { r=; for n; do r="$r \\"\\\${$n}\\""; done; }
${wants.identity ? IDENTITY : 'self='}
exec 4>&1
F='${STAT_FORMAT}'
G='%s %p\\n'
sizes=/dev/null
[ -e /dev/fd/1 ] && sizes=/dev/fd/3
refs $sums $reads $stats
eval "z=\\$(find $r / $self -maxdepth 0 -printf \\"\\$F\\" -fprintf \\"\\$sizes\\" \\"\\$G\\" 2>/dev/null 3>&1 >&4)"
${READ_BY_SIZE}
printf 'sums\\0'
refs $big
[ -z "$r" ] || eval "sha256sum -z -- $r" 2>/dev/null
refs $tarred
[ -z "$r" ] || { printf 'tar\\0'; eval "tar -c -f - -P -h --hard-dereference --no-recursion -- $r"; }`;
};

// The reader's identity from find's own /proc/self (owned by its effective user and group) when the shell's own
// /proc entry shows that rule holds (a process that changed its ids is owned by root there); else from `id`.
const IDENTITY = `self=
if [ -O "/proc/$$/" ] && [ -G "/proc/$$/" ]; then self=/proc/self/; printf 'identity\\0'; else printf 'id\\0'; LC_ALL=C id; printf '\\0'; fi
printf 'umask\\0'; umask; printf '\\0'`;

/** Bytes the shell itself reads per probe, a line at a time (`read` takes a system call per byte): tar beyond. */
export const READ_BY_SHELL_MAX = 4096;

// find's sizes come back as "SIZE PATH\n" per starting point: the files to checksum, then the files to read, in order.
// `sized` matches each to the path it must name (a path that vanished before find saw it shifts what follows): from
// the first mismatch on no size is known, and every file goes to sha256sum or tar, right whatever its size. The last
// line, whose newline command substitution drops, is find's own (/ or /proc/self/).
// `slurp` reads a small file with `read`; it is the file's exact content only when its length is the size find saw
// (a NUL byte, which the shell drops, or a change since, makes it differ): then it goes out as it is, framed by that
// length, else tar reads it.
const READ_BY_SIZE = `sized() {
  s=\${z%% *}
  case $z in
    "$s $1
"*) z=\${z#"$s $1
"} ;;
    "$s $1") z= ;;
    *) z=; s= ;;
  esac
}
slurp() {
  [ -n "$s" ] && [ "$s" -le "$left" ] || return 1
  c=; l=
  { while IFS= read -r l; do c="$c$l
"; done; c="$c$l"; } < "$1" 2>/dev/null || return 1
  [ "\${#c}" -eq "$s" ] || return 1
  left=$((left - s))
  printf 'text\\0%s\\0%s\\0%s\\0' "$2" "$1" "$s"
  printf '%s' "$c"
}
left=${READ_BY_SHELL_MAX}; big=; tarred=
for n in $sums; do
  eval "p=\\\${$n}"
  sized "$p"
  if slurp "$p" hash; then :
  elif [ -n "$s" ] && [ "$s" -le ${HASHED_HERE_MAX} ]; then tarred="$tarred $n"; printf 'hash\\0%s\\0' "$p"
  else big="$big $n"; printf 'big\\0%s\\0' "$p"
  fi
done
for n in $reads; do
  eval "p=\\\${$n}"
  sized "$p"
  slurp "$p" read || { tarred="$tarred $n"; printf 'read\\0%s\\0' "$p"; }
done`;

const checksumLine = /^([0-9a-f]{64}) [ *](.*)$/s;

// tar's member names for what it was given: -P keeps a leading /, but "./a//b" may come back as "a/b"
const normalized = (path: string): string =>
  path
    .replace(/\/{2,}/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/\/(\.\/)+/g, '/');

const statOf = (fields: string[]): FileState => {
  const [p, y, m, u, g, , , s, l] = fields;
  const type = TYPES[y] ?? 'other';
  return { path: p, exists: true, type, mode: Number.parseInt(m, 8), owner: u, group: g, size: Number(s), linkTarget: type === 'link' ? l : undefined };
};

// find prints an id without a name as the number itself; `id` prints no name: no name
const nameOf = (name: string, id: string) => (name === id ? '' : name);

const idName = (ids: string, key: 'uid' | 'gid'): string => {
  const field = (name: string) => new RegExp(`(?:^|\\s)${name}=\\d+(?:\\(([^)]*)\\))?`).exec(ids);
  return (field(`e${key}`) ?? field(key))?.[1] ?? '';
};

/**
 * Everything the probe printed, keyed by the paths as the script spelled them: NUL-terminated records, then the
 * archive's raw bytes to the end of the section (no record follows it: its content decides nothing else).
 */
export const parseProbe = ({ stdout, bytes = Buffer.from(stdout) }: FactOutput, wants: ProbeWants): ProbeFound => {
  const found: ProbeFound = { stat: new Map(), checksum: new Map(), content: new Map() };
  const archived: { path: string; hashed: boolean }[] = [];
  const hashedThere: string[] = [];
  let at = 0;
  const next = (): string | undefined => {
    const end = bytes.indexOf(0, at);
    if (end < 0) return undefined;
    const record = bytes.toString('utf8', at, end);
    at = end + 1;
    return record;
  };
  let lastStat: string[] | undefined;
  let identityFrom: string | undefined;
  let umask = '';
  let archive: Buffer | undefined;
  for (let tag = next(); tag !== undefined && archive === undefined; tag = next()) {
    if (tag === 'stat') {
      const fields = Array.from({ length: STAT_FIELDS }, next);
      if (fields.every((f) => f !== undefined)) found.stat.set(fields[0], statOf(fields));
      lastStat = fields as string[];
    } else if (tag === 'unreadable-checksum') {
      const path = next() ?? '';
      found.checksum.set(path, unreadable(path));
    } else if (tag === 'unreadable-content') {
      const path = next() ?? '';
      found.content.set(path, unreadable(path));
    } else if (tag === 'read' || tag === 'hash') archived.push({ path: next() ?? '', hashed: tag === 'hash' });
    else if (tag === 'text') {
      const [kind, path, length] = [next(), next() ?? '', Number(next())];
      if (!Number.isInteger(length) || at + length > bytes.length) throw new FactError('file_content', `the text of ${path} is cut short`);
      settleContent(found, path, kind === 'hash', Buffer.from(bytes.subarray(at, at + length)));
      at += length;
    } else if (tag === 'big') hashedThere.push(next() ?? '');
    else if (tag === 'identity') identityFrom = 'proc';
    else if (tag === 'id') identityFrom = next();
    else if (tag === 'umask') umask = next() ?? '';
    else if (tag === 'tar') archive = bytes.subarray(at);
    else {
      const m = checksumLine.exec(tag);
      if (m) found.checksum.set(m[2], m[1]);
    }
  }
  if (wants.identity) found.identity = identityOf(identityFrom, lastStat, umask);
  settleArchive(found, archived, archive);
  // a file that vanished on the way, or a host without sha256sum: an error, never "not a regular file"
  for (const path of hashedThere) if (!found.checksum.has(path)) found.checksum.set(path, new FactError('file_checksum', `${path} could not be hashed`));
  return found;
};

const identityOf = (from: string | undefined, self: string[] | undefined, umask: string): Identity | Error => {
  const mask = Number.parseInt(umask.trim(), 8);
  if (from === undefined || Number.isNaN(mask)) return new FactError('identity', 'the probe printed no identity');
  if (from !== 'proc') return { user: idName(from, 'uid'), group: idName(from, 'gid'), umask: mask };
  // find's /proc/self/ is the last starting point: its record is the last one
  if (self?.[0] !== '/proc/self/') return new FactError('identity', 'find did not describe its own process');
  const [, , , u, g, uid, gid] = self;
  return { user: nameOf(u, uid), group: nameOf(g, gid), umask: mask };
};

/** The archive's members, in the order the files were named (by name when one vanished on the way). */
const settleArchive = (found: ProbeFound, archived: readonly { path: string; hashed: boolean }[], archive: Buffer | undefined) => {
  if (archived.length === 0) return;
  const members = tarMembers(archive ?? Buffer.alloc(0)).filter((m) => m.type === '0' || m.type === '7');
  const byName = new Map(members.map((m) => [normalized(m.name), m.content]));
  archived.forEach(({ path, hashed }, j) => {
    const content = members.length === archived.length ? members[j].content : byName.get(normalized(path));
    settleContent(found, path, hashed, content ?? changedWhileRead(hashed ? 'file_checksum' : 'file_content', path));
  });
};

const settleContent = (found: ProbeFound, path: string, hashed: boolean, content: Buffer | Error) => {
  if (!hashed) found.content.set(path, content);
  else found.checksum.set(path, content instanceof Error ? content : createHash('sha256').update(content).digest('hex'));
};

const changedWhileRead = (fact: string, path: string) => new FactError(fact, `${path} could not be read (it changed while being read?)`);

const wantsOf = (parts: readonly JointPart[]): ProbeWants => {
  const args = (name: string) => parts.filter((p) => p.fact.name === name).flatMap((p) => p.args as string[]);
  return { stat: args('file_stat'), checksum: args('file_checksum'), content: args('file_content'), identity: parts.some((p) => p.fact.name === 'identity') };
};

const valuesFor = (found: ProbeFound, part: JointPart): unknown[] => {
  const args = part.args as string[];
  switch (part.fact.name) {
    case 'file_stat':
      // find always describes /: without that record it did not run, and no path may look absent
      if (!found.stat.has('/')) return args.map(() => new FactError('file_stat', 'find printed nothing (is findutils installed?)'));
      return args.map((path) => {
        const state = found.stat.get(startingPoint(path));
        return state ? { ...state, path } : { path, exists: false };
      });
    case 'file_checksum':
      return args.map((path) => found.checksum.get(startingPoint(path)) ?? null);
    case 'file_content':
      return args.map((path) => found.content.get(startingPoint(path)) ?? null);
    default:
      return part.args.map(() => found.identity ?? new FactError('identity', 'not asked for'));
  }
};

/** The section shared by file_stat, file_checksum, file_content and identity. */
export const fileProbe: Joint = {
  name: 'file_probe',
  command: (parts) => script(wantsOf(parts)),
  parse: (output, parts) => {
    const found = parseProbe(output, wantsOf(parts));
    return parts.map((part) => valuesFor(found, part));
  },
};

/** A fact read through the file probe: alone, its command and parse are the probe's, given just this fact. */
export const probeFact = <A, T>(def: Omit<FactDefinition<A, T>, 'command' | 'parse' | 'joint'>): FactDefinition<A, T> => {
  const fact: FactDefinition<A, T> = {
    ...def,
    joint: fileProbe,
    command: (args) => fileProbe.command([{ fact: fact as FactDefinition, args }]),
    parse: (output, args) => fileProbe.parse(output, [{ fact: fact as FactDefinition, args }])[0] as (T | Error)[],
  };
  return fact;
};
