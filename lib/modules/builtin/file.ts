import { z } from 'zod';
import { absentBelow, fileFactsOf } from '../../facts/builtin/file-facts.js';
import { fileStat, type FileState } from '../../facts/builtin/file-stat.js';
import { identity, type Identity } from '../../facts/builtin/identity.js';
import { request } from '../../facts/fact.js';
import { shellJoin } from '../../transport/shell-quote.js';
import { boolArg, formatMode } from '../arg-types.js';
import {
  attributeCommands,
  describeAttributes,
  fileAttributeArgs,
  mergeAttributes,
  namedAttributes,
  resolveMode,
  type FileAttributes,
  type WantedAttributes,
} from '../file-attributes.js';
import { defineModule, type Change } from '../module.js';

// Ansible's access_time/modification_time; a timestamp (YYYYmmddHHMM.SS) would need the path's times to be idempotent
const timeArg = z.enum(['now', 'preserve'], { error: () => "must be 'now' or 'preserve' (nop does not set a path's times to a given timestamp)" });

const fileArgs = z
  .strictObject({
    path: z.string().min(1),
    /** default: what the path already is, or `file` */
    state: z.enum(['file', 'directory', 'touch', 'absent', 'link']).optional(),
    /** the target of a symbolic link (state=link) */
    src: z.string().min(1).optional(),
    /** state=link: replace a regular file standing where the link should be */
    force: boolArg.default(false),
    /** `now` or `preserve` (Ansible's default: now for state=touch, preserve otherwise); a timestamp is refused */
    access_time: timeArg.optional(),
    modification_time: timeArg.optional(),
    ...fileAttributeArgs,
  })
  .refine((a) => a.state !== 'link' || a.src !== undefined, 'src is required with state=link');

type FileArgs = z.output<typeof fileArgs>;

/**
 * The `touch` that sets a path's times as access_time and modification_time ask (undefined: neither changes):
 * `now` sets the time (reported changed, as Ansible does, however recently it was set), `preserve` keeps it.
 */
const timesCommand = (a: FileArgs, fallback: 'now' | 'preserve'): string | undefined => {
  const atime = (a.access_time ?? fallback) === 'now';
  const mtime = (a.modification_time ?? fallback) === 'now';
  if (!atime && !mtime) return undefined;
  return `touch -c${atime && !mtime ? ' -a' : ''}${mtime && !atime ? ' -m' : ''} -- ${q(a.path)}`;
};

// the commands a path that exists gets: its attributes, then its times
const existingCommands = (state: FileState, a: FileArgs, fallback: 'now' | 'preserve'): string[] => {
  const times = timesCommand(a, fallback);
  return [...attributeCommands(state, a), ...(times ? [times] : [])];
};
type Wanted = NonNullable<FileArgs['state']>;

/** A directory to make (ctx.makeDirectory): the path and the mode it gets (undefined: the umask's). */
interface NewDirectory {
  path: string;
  mode?: number;
}

interface Plan {
  /** made first, where the path did not exist */
  directory?: NewDirectory;
  commands: string[];
  /** the type the path ends up as (for the diff and the return values) */
  type: Wanted;
  failed?: string;
}

const q = (s: string) => shellJoin([s]);

// commands for a path that does not exist yet: attributes are compared against nothing
const fresh = (path: string, create: string, type: FileState['type'], want: WantedAttributes): string[] => [
  create,
  ...attributeCommands({ path, exists: false, type }, want),
];

/**
 * A directory that did not exist: made with its mode by ctx.makeDirectory (no process of its own in a batch where
 * the host has perl, one mkdir where its parent exists otherwise), then given its owner and group.
 */
const newDirectory = (a: FileArgs): Plan => ({
  type: 'directory',
  directory: { path: a.path, mode: a.mode === undefined ? undefined : resolveMode(a.mode, undefined, true) },
  commands: attributeCommands({ path: a.path, exists: false, type: 'directory' }, { ...a, mode: undefined }),
});

const planLink = (state: FileState, a: FileArgs, src: string): Plan => {
  const link = `ln -sfn -- ${q(src)} ${q(a.path)}`;
  if (!state.exists) return { type: 'link', commands: fresh(a.path, link, 'link', a) };
  if (state.type === 'link' && state.linkTarget === src) return { type: 'link', commands: attributeCommands(state, a) };
  if (state.type === 'link') return { type: 'link', commands: fresh(a.path, link, 'link', a) };
  if (state.type !== 'file' || !a.force) {
    return { type: 'link', commands: [], failed: `refusing to convert from ${state.type} to symlink for ${a.path}` };
  }
  return { type: 'link', commands: fresh(a.path, `rm -f -- ${q(a.path)} && ${link}`, 'link', a) };
};

const plan = (state: FileState, a: FileArgs): Plan => {
  const wanted: Wanted = a.state ?? (state.type === 'directory' || state.type === 'link' ? state.type : 'file');
  const current = state.exists ? state.type : 'absent';
  switch (wanted) {
    case 'absent':
      return { type: 'absent', commands: state.exists ? [`rm -rf -- ${q(a.path)}`] : [] };
    case 'file':
      if (!state.exists) return { type: 'file', commands: [], failed: `file (${a.path}) is absent, cannot continue` };
      if (state.type === 'directory') return { type: 'file', commands: [], failed: `file (${a.path}) is a directory, cannot continue` };
      return { type: 'file', commands: existingCommands(state, a, 'preserve') };
    case 'directory':
      if (!state.exists) return newDirectory(a);
      if (state.type !== 'directory') return { type: 'directory', commands: [], failed: `${a.path} exists as a ${current}, not a directory` };
      return { type: 'directory', commands: existingCommands(state, a, 'preserve') };
    case 'touch':
      // as Ansible: an existing path's times are set to now (changed) unless access_time and modification_time preserve them
      if (!state.exists) return { type: 'touch', commands: fresh(a.path, `touch -- ${q(a.path)}`, 'file', a) };
      return { type: 'touch', commands: existingCommands(state, a, 'now') };
    case 'link':
      return planLink(state, a, a.src ?? '');
  }
};

const describe = (state: string, src: string | undefined, attrs: FileAttributes): string =>
  `state: ${state}\n${src !== undefined ? `src: ${src}\n` : ''}${describeAttributes(attrs)}`;

const diffOf = (state: FileState, a: FileArgs, p: Plan) => {
  const beforeState = state.exists ? (state.type ?? 'other') : 'absent';
  const afterState = p.type === 'touch' ? 'file' : p.type;
  const after = p.type === 'absent' ? {} : namedAttributes(mergeAttributes(state, a), a);
  return {
    path: a.path,
    before: describe(beforeState, state.linkTarget, namedAttributes(state, a)),
    after: describe(afterState, p.type === 'link' ? a.src : undefined, after),
  };
};

// what a path the task creates looks like: the writer's, with the mode its umask leaves (a link's is always 0777)
const createdAttributes = (p: Plan, writer: Identity): FileAttributes => ({
  mode: p.type === 'link' ? 0o777 : (p.type === 'directory' ? 0o777 : 0o666) & ~writer.umask,
  owner: writer.user,
  group: writer.group,
});

const resultOf = (a: FileArgs, p: Plan, state: FileState, writer: Identity): Record<string, unknown> => {
  const created = !state.exists || (p.type === 'link' && state.type !== 'link');
  const base = created ? createdAttributes(p, writer) : p.type === 'link' ? { ...state, mode: 0o777 } : state;
  const attrs: FileAttributes =
    p.type === 'absent' ? {} : mergeAttributes({ path: a.path, exists: true, ...base }, p.type === 'link' ? { ...a, mode: undefined } : a);
  // Ansible names the path `dest` for the states that make something at it from elsewhere (link, touch)
  return {
    [p.type === 'link' || p.type === 'touch' ? 'dest' : 'path']: a.path,
    state: p.type === 'touch' ? 'file' : p.type,
    ...(p.type === 'link' ? { src: a.src } : {}),
    ...(attrs.mode !== undefined ? { mode: formatMode(attrs.mode) } : {}),
    ...(attrs.owner !== undefined ? { owner: attrs.owner } : {}),
    ...(attrs.group !== undefined ? { group: attrs.group } : {}),
  };
};

interface FileCommands extends Change {
  directory?: NewDirectory;
  commands: string[];
}

// a directory just created is empty, a path just removed is gone with everything below it
const knownAfter = (state: FileState, a: FileArgs, p: Plan) => {
  if (p.type === 'absent') return absentBelow(a.path, true);
  if (p.type === 'directory' && !state.exists) return absentBelow(a.path);
  return [];
};

export const fileModule = defineModule({
  name: 'file',
  aliases: { dest: 'path', name: 'path' },
  args: fileArgs,
  facts: (args) => [request(fileStat, args.path), request(identity, undefined)],
  plan: async (args, ctx) => {
    const state = await ctx.facts.read(fileStat, args.path);
    const p = plan(state, args);
    const result = resultOf(args, p, state, await ctx.facts.read(identity, undefined));
    if (p.failed) return { changes: [], result: { path: args.path }, failed: p.failed };
    if (p.commands.length === 0 && !p.directory) return { changes: [], result };
    const change: FileCommands = {
      summary: `${p.type} ${args.path}`,
      diff: ctx.diff ? diffOf(state, args, p) : undefined,
      invalidates: fileFactsOf(args.path),
      becomes: knownAfter(state, args, p),
      directory: p.directory,
      commands: p.commands,
    };
    return { changes: [change], result };
  },
  apply: async (changes, _args, ctx) => {
    for (const c of changes) {
      if (c.directory) await ctx.makeDirectory(c.directory.path, c.directory.mode);
      if (c.commands.length) await ctx.change(c.commands.join(' && '));
    }
    return undefined;
  },
});
