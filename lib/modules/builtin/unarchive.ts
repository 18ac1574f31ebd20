import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename, posix } from 'node:path';
import { z } from 'zod';
import { fileFactsOf } from '../../facts/builtin/file-facts.js';
import { fileStat, type FileState } from '../../facts/builtin/file-stat.js';
import { request } from '../../facts/fact.js';
import { shellJoin } from '../../transport/shell-quote.js';
import { boolArg, formatMode, listArg } from '../arg-types.js';
import { curlConfig } from '../curl-config.js';
import { attributeCommands, fileAttributeArgs, type WantedAttributes } from '../file-attributes.js';
import { pathInfo } from '../path-info.js';
import { defineModule, type Change, type ModuleContext, type ModuleResult, type Plan } from '../module.js';

const unarchiveArgs = z.strictObject({
  /** an archive on the controller (role files/, the playbook's directory), or with remote_src a path or URL on the host */
  src: z.string().min(1),
  /** an existing directory on the host */
  dest: z.string().startsWith('/'),
  remote_src: boolArg.default(false),
  /** a path that, when it exists, means the archive was already unpacked */
  creates: z.string().min(1).optional(),
  list_files: boolArg.default(false),
  exclude: listArg.default([]),
  include: listArg.default([]),
  keep_newer: boolArg.default(false),
  /** more tar or unzip options (tar's `--strip-components=1`) */
  extra_opts: z.union([z.array(z.string()), z.string().transform((s) => (s === '' ? [] : [s]))]).default([]),
  validate_certs: boolArg.default(true),
  ...fileAttributeArgs,
});

type UnarchiveArgs = z.output<typeof unarchiveArgs>;

/** Ansible's handlers, by what the archive's first bytes say. */
const HANDLERS: { name: string; magic: RegExp; flag?: string }[] = [
  { name: 'ZipArchive', magic: /^504b0304/ },
  { name: 'TgzArchive', magic: /^1f8b/, flag: '-z' },
  { name: 'TarBzipArchive', magic: /^425a68/, flag: '-j' },
  { name: 'TarXzArchive', magic: /^fd377a585a00/, flag: '-J' },
  { name: 'TarZstdArchive', magic: /^28b52ffd/, flag: '--zstd' },
  { name: 'TarArchive', magic: /^.{514}7573746172/ },
];

const q = (s: string) => shellJoin([s]);

// tar --diff lines that mean the archive is not (all) there; uid/gid/mode only when the task does not set them
const DIFFERS = (a: UnarchiveArgs): RegExp[] => [
  / Mod time differs$/,
  /: Warning: Cannot stat: No such file or directory$/,
  /: Invalid owner/,
  /: Invalid group/,
  ...(a.owner ? [] : [/: Uid differs$/]),
  ...(a.group ? [] : [/: Gid differs$/]),
  ...(a.mode !== undefined ? [] : [/: Mode differs$/]),
];

interface Staged {
  /** the archive on the host */
  path: string;
  /** a copy nop put there (removed when the task is done) */
  temporary: boolean;
}

/** The archive on the host: copied there (local src), downloaded there (URL), or already there. */
const stage = async (ctx: ModuleContext, a: UnarchiveArgs): Promise<Staged | string> => {
  const tmp = `/tmp/.nop-archive-${randomBytes(6).toString('hex')}-${basename(a.src).replace(/[^\w.-]/g, '_')}`;
  if (!a.remote_src) {
    const local = await ctx.findFile(a.src);
    if ((await stat(local)).size === 0) return `Invalid archive '${a.src}', the file is 0 bytes`;
    await ctx.transport.putFile(tmp, local, { become: ctx.become, mode: 0o600 });
    return { path: tmp, temporary: true };
  }
  if (a.src.includes('://')) {
    const res = await ctx.exec(`curl -K - -fsSL${a.validate_certs ? '' : ' -k'} -o ${q(tmp)}`, { stdin: curlConfig([['url', a.src]]) });
    if (res.code !== 0) return `Failure downloading ${a.src}, ${res.stderr.trim()}`;
    return { path: tmp, temporary: true };
  }
  const st = await ctx.facts.read(fileStat, a.src);
  if (!st.exists) return `Source '${a.src}' does not exist`;
  if ((st.size ?? 0) === 0) return `Invalid archive '${a.src}', the file is 0 bytes`;
  return { path: a.src, temporary: false };
};

const unstage = async (ctx: ModuleContext, s: Staged) => {
  if (s.temporary) await ctx.exec(`rm -f -- ${q(s.path)}`);
};

const handlerOf = async (ctx: ModuleContext, path: string) => {
  const res = await ctx.exec(`od -An -tx1 -v -N 265 -- ${q(path)} | tr -d ' \\n'`);
  return HANDLERS.find((h) => h.magic.test(res.stdout));
};

const tarArgs = (a: UnarchiveArgs, flag: string | undefined, src: string, verb: '--diff' | '--extract' | '--list') => [
  'tar',
  verb,
  ...(verb === '--list' ? [] : ['-C', a.dest]),
  ...(flag ? [flag] : []),
  ...(a.extra_opts.length ? ['--show-transformed-names', ...a.extra_opts] : []),
  ...(verb !== '--list' && a.owner ? [`--owner=${a.owner}`] : []),
  ...(verb !== '--list' && a.group ? [`--group=${a.group}`] : []),
  ...(verb !== '--list' && a.keep_newer ? ['--keep-newer-files'] : []),
  ...a.exclude.map((e) => `--exclude=${e}`),
  '-f',
  src,
  ...a.include,
];

const zipArgs = (a: UnarchiveArgs, src: string) => [
  'unzip',
  '-o',
  ...(a.keep_newer ? ['-u'] : []),
  ...a.extra_opts,
  src,
  ...a.include,
  ...(a.exclude.length ? ['-x', ...a.exclude] : []),
  '-d',
  a.dest,
];

const C_LOCALE = { LANG: 'C', LC_ALL: 'C', LC_MESSAGES: 'C', LANGUAGE: 'C' };

/** The archive's members (relative paths, as Ansible's files_in_archive). */
const members = async (ctx: ModuleContext, a: UnarchiveArgs, handler: string, flag: string | undefined, src: string): Promise<string[]> => {
  const argv = handler === 'ZipArchive' ? ['unzip', '-Z1', src] : tarArgs(a, flag, src, '--list');
  const res = await ctx.exec(shellJoin(argv), { env: C_LOCALE });
  if (res.code !== 0) throw new Error(`Unable to list files in the archive: ${res.stderr.trim()}`);
  return res.stdout.split('\n').filter((l) => l !== '');
};

/** Whether every member is already in dest as the archive has it (tar --diff; for zip: present with its size). */
const unarchived = async (ctx: ModuleContext, a: UnarchiveArgs, handler: string, flag: string | undefined, src: string, files: string[]): Promise<boolean> => {
  if (handler !== 'ZipArchive') {
    const res = await ctx.exec(shellJoin(tarArgs(a, flag, src, '--diff')), { env: C_LOCALE, cwd: a.dest });
    const lines = `${res.stdout}\n${res.stderr}`.split('\n').filter((l) => !/: : Warning: Cannot stat: No such file or directory$/.test(l));
    return !lines.some((l) => DIFFERS(a).some((re) => re.test(l)));
  }
  const sizes = await ctx.exec(`unzip -Zl ${q(src)}`, { env: C_LOCALE });
  const wanted = new Map<string, number>();
  for (const line of sizes.stdout.split('\n')) {
    const m = /^[-dl][rwxsStT-]{9}\s+\S+\s+\S+\s+(\d+)\s+\S+\s+\d+\s+\S+\s+\S+\s+\S+\s+(.+)$/.exec(line);
    if (m && !m[2].endsWith('/')) wanted.set(m[2], Number(m[1]));
  }
  const paths = files.filter((f) => !f.endsWith('/')).map((f) => posix.join(a.dest, f));
  await ctx.facts.readAll(paths.map((p) => request(fileStat, p)));
  for (const f of files.filter((x) => !x.endsWith('/'))) {
    const st = await ctx.facts.read(fileStat, posix.join(a.dest, f));
    if (st.type !== 'file' || (wanted.has(f) && st.size !== wanted.get(f))) return false;
  }
  return true;
};

interface UnarchiveChange extends Change {
  extract?: string[];
  /** chmod/chown of the members (and top directories) the task sets attributes on */
  attributes: string[];
  staged: Staged;
}

// a member not unpacked yet has no mode to compare: chmod takes the mode as given (a symbolic one applies to what
// the archive gave the member, as Ansible's does), ownership is set as for any path
const extractedFixes = (path: string, want: WantedAttributes): string[] => [
  ...(want.mode === undefined ? [] : [`chmod ${typeof want.mode === 'number' ? formatMode(want.mode) : shellJoin([want.mode])} -- ${shellJoin([path])}`]),
  ...attributeCommands({ path, exists: true, type: 'file' }, { owner: want.owner, group: want.group }),
];

// what the members (and their top folders) need to get the task's mode/owner/group, as set_fs_attributes does
const attributeFixes = async (ctx: ModuleContext, a: UnarchiveArgs, files: string[], extracting: boolean): Promise<string[]> => {
  const want: WantedAttributes = { mode: a.mode, owner: a.owner, group: a.group };
  if (want.mode === undefined && want.owner === undefined && want.group === undefined) return [];
  const tops = [...new Set(files.filter((f) => f.includes('/')).map((f) => f.split('/')[0]))];
  const paths = [...new Set([...files, ...tops])].map((f) => posix.join(a.dest, f.replace(/\/$/, '')));
  if (extracting) return paths.flatMap((p) => extractedFixes(p, want));
  await ctx.facts.readAll(paths.map((p) => request(fileStat, p)));
  const states: FileState[] = await Promise.all(paths.map((p) => ctx.facts.read(fileStat, p)));
  return states.filter((s) => s.exists).flatMap((s) => attributeCommands(s, want));
};

const planUnarchive = async (a: UnarchiveArgs, ctx: ModuleContext): Promise<Plan<UnarchiveChange>> => {
  if (a.creates !== undefined && (await ctx.facts.read(fileStat, a.creates)).exists)
    return { changes: [], result: { skipped: true, msg: `skipped, since ${a.creates} exists` } };
  const destState = await ctx.facts.read(fileStat, a.dest);
  if (destState.type !== 'directory') return { changes: [], failed: `Destination '${a.dest}' is not a directory` };
  const staged = await stage(ctx, a);
  if (typeof staged === 'string') return { changes: [], failed: staged };
  try {
    const handler = await handlerOf(ctx, staged.path);
    if (!handler) throw new Error(`Failed to find handler for "${a.src}". Make sure the required command to extract the file is installed.`);
    const files = await members(ctx, a, handler.name, handler.flag, staged.path);
    const done = await unarchived(ctx, a, handler.name, handler.flag, staged.path, files);
    const extract = done ? undefined : handler.name === 'ZipArchive' ? zipArgs(a, staged.path) : tarArgs(a, handler.flag, staged.path, '--extract');
    const attributes = await attributeFixes(ctx, a, files, !done);
    const result = { handler: handler.name, dest: a.dest, src: a.src, ...pathInfo(destState), ...(a.list_files ? { files } : {}) };
    if (!extract && attributes.length === 0) {
      await unstage(ctx, staged);
      return { changes: [], result };
    }
    const change: UnarchiveChange = {
      summary: extract ? `unpack ${a.src} into ${a.dest}` : `set attributes of ${a.src}'s files in ${a.dest}`,
      diff: ctx.diff ? { path: a.dest, before: '', after: `${files.join('\n')}\n` } : undefined,
      invalidates: fileFactsOf(a.dest),
      extract,
      attributes,
      staged,
    };
    if (ctx.check) await unstage(ctx, staged);
    return { changes: [change], result };
  } catch (e) {
    await unstage(ctx, staged);
    return { changes: [], failed: (e as Error).message };
  }
};

/** Ansible's unarchive: tar (gz, bz2, xz, zstd) and zip archives unpacked into an existing directory, only when needed. */
export const unarchiveModule = defineModule({
  name: 'unarchive',
  args: unarchiveArgs,
  facts: (a) => [
    request(fileStat, a.dest),
    ...(a.creates ? [request(fileStat, a.creates)] : []),
    ...(a.remote_src && !a.src.includes('://') ? [request(fileStat, a.src)] : []),
  ],
  plan: planUnarchive,
  apply: async ([change], a, ctx): Promise<Partial<ModuleResult>> => {
    try {
      let extract_results: Record<string, unknown> | undefined;
      if (change.extract) {
        const res = await ctx.exec(shellJoin(change.extract), { env: C_LOCALE, cwd: a.dest });
        extract_results = { cmd: change.extract, rc: res.code, out: res.stdout, err: res.stderr };
        if (res.code !== 0) return { changed: false, failed: true, msg: `failed to unpack ${a.src} to ${a.dest}`, extract_results };
      }
      if (change.attributes.length) {
        const res = await ctx.exec(change.attributes.join(' && '));
        if (res.code !== 0) return { changed: false, failed: true, msg: `Unexpected error when accessing exploded file: ${res.stderr.trim()}` };
      }
      return extract_results ? { extract_results } : {};
    } finally {
      await unstage(ctx, change.staged);
    }
  },
});
