import { z } from 'zod';
import { dirEntries, type DirEntry, type DirWalkArg } from '../../facts/builtin/dir-entries.js';
import { fileContent } from '../../facts/builtin/file-content.js';
import { fileDigest } from '../../facts/builtin/file-digest.js';
import { request } from '../../facts/fact.js';
import { globToRegExp } from '../../inventory/fnmatch.js';
import { boolArg, formatMode } from '../arg-types.js';
import { defineModule, type ModuleContext } from '../module.js';
import { pythonRegex } from '../python-regex.js';
import { compiles } from './file-edit.js';

// Ansible's list type: a YAML list, or one string of comma-separated items
const listOf = z.union([z.array(z.string()), z.string().transform((s) => s.split(',').map((x) => x.trim()))]);

const AGE = /^(-?\d+)([smhdw])?$/i;
const SIZE = /^(-?\d+)([bkmgt])?$/i;
const SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const BYTES: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

const findArgs = z
  .strictObject({
    paths: listOf.pipe(z.array(z.string().min(1)).min(1)),
    patterns: listOf.default([]),
    excludes: listOf.optional(),
    contains: z.string().refine(compiles, 'contains must be a valid regular expression').optional(),
    read_whole_file: boolArg.default(false),
    file_type: z.enum(['any', 'directory', 'file', 'link']).default('file'),
    age: z.string().regex(AGE, 'failed to process age').optional(),
    age_stamp: z.enum(['atime', 'ctime', 'mtime']).default('mtime'),
    size: z.string().regex(SIZE, 'failed to process size').optional(),
    recurse: boolArg.default(false),
    /** 0 (Ansible's falsy depth) is no limit */
    depth: z.coerce
      .number()
      .int()
      .nonnegative()
      .transform((d) => d || undefined)
      .optional(),
    hidden: boolArg.default(false),
    follow: boolArg.default(false),
    get_checksum: boolArg.default(false),
    use_regex: boolArg.default(false),
  })
  .refine((a) => !a.use_regex || [...a.patterns, ...(a.excludes ?? [])].every(compiles), 'patterns and excludes must be valid regular expressions');

type FindArgs = z.output<typeof findArgs>;

const amount = (text: string | undefined, re: RegExp, units: Record<string, number>): number | undefined => {
  if (text === undefined) return undefined;
  const m = re.exec(text)!;
  return Number(m[1]) * (units[(m[2] ?? '').toLowerCase()] ?? 1);
};

// how deep find must look: the entries one level past `depth` are examined (counted) but never match
const walkOf = (a: FindArgs, path: string): DirWalkArg => ({
  path,
  maxdepth: !a.recurse ? 1 : a.depth !== undefined ? a.depth + 1 : undefined,
  follow: a.follow,
});

/** Python's re.match: a match that starts at the start (a sticky regexp from position 0). */
const matchesAtStart = (re: RegExp, text: string): boolean => {
  re.lastIndex = 0;
  return re.test(text);
};

/** re.match or fnmatch (the whole name) against any of the patterns. */
const matcher = (patterns: string[], regex: boolean): ((name: string) => boolean) => {
  const res = patterns.map((p) => (regex ? pythonRegex(p, 'y') : globToRegExp(p)));
  return (name) => res.some((re) => matchesAtStart(re, name));
};

const statinfo = (e: DirEntry): Record<string, unknown> => ({
  path: e.path,
  mode: formatMode(e.mode & 0o7777),
  isdir: e.type === 'directory',
  ischr: e.type === 'char',
  isblk: e.type === 'block',
  isreg: e.type === 'file',
  isfifo: e.type === 'fifo',
  islnk: e.type === 'link',
  issock: e.type === 'socket',
  uid: e.uid,
  gid: e.gid,
  size: e.size,
  inode: e.inode,
  dev: e.dev,
  nlink: e.nlink,
  atime: e.atime,
  mtime: e.mtime,
  ctime: e.ctime,
  gr_name: e.group,
  pw_name: e.owner,
  wusr: (e.mode & 0o200) !== 0,
  rusr: (e.mode & 0o400) !== 0,
  xusr: (e.mode & 0o100) !== 0,
  wgrp: (e.mode & 0o020) !== 0,
  rgrp: (e.mode & 0o040) !== 0,
  xgrp: (e.mode & 0o010) !== 0,
  woth: (e.mode & 0o002) !== 0,
  roth: (e.mode & 0o004) !== 0,
  xoth: (e.mode & 0o001) !== 0,
  isuid: (e.mode & 0o4000) !== 0,
  isgid: (e.mode & 0o2000) !== 0,
});

const WANTED_TYPE: Record<Exclude<FindArgs['file_type'], 'any'>, DirEntry['type']> = { file: 'file', directory: 'directory', link: 'link' };

/** The entries that pass every filter but `contains` (which needs the files' content). */
const candidates = (a: FindArgs, entries: DirEntry[], now: number): DirEntry[] => {
  const patterns = matcher(a.patterns.length ? a.patterns : [a.use_regex ? '.*' : '*'], a.use_regex);
  const excluded = a.excludes?.length ? matcher(a.excludes, a.use_regex) : () => false;
  const age = amount(a.age, AGE, SECONDS);
  const size = amount(a.size, SIZE, BYTES);
  const ageOk = (e: DirEntry) => age === undefined || (age >= 0 ? now - e[a.age_stamp] >= age : now - e[a.age_stamp] <= -age);
  const sizeOk = (e: DirEntry) => size === undefined || e.type !== 'file' || (size >= 0 ? e.size >= size : e.size <= -size);
  return entries.filter(
    (e) =>
      (a.depth === undefined || e.depth <= a.depth) &&
      (a.hidden || !e.name.startsWith('.')) &&
      (a.file_type === 'any' || e.type === WANTED_TYPE[a.file_type]) &&
      patterns(e.name) &&
      !excluded(e.name) &&
      ageOk(e) &&
      sizeOk(e),
  );
};

/** Python's contentfilter: a line that re.match()es (at its start), or a search in the whole file. */
const containing = async (ctx: ModuleContext, a: FindArgs, found: DirEntry[]): Promise<DirEntry[]> => {
  if (a.contains === undefined || a.file_type !== 'file') return found;
  await ctx.facts.readAll(found.map((e) => request(fileContent, e.path)));
  const re = pythonRegex(a.contains, a.read_whole_file ? '' : 'y');
  const kept: DirEntry[] = [];
  for (const e of found) {
    const text = (await ctx.facts.read(fileContent, e.path).catch(() => null))?.toString('utf8');
    if (text === undefined) continue;
    // Python's `$` also matches before the line's newline: lines are matched without it
    const hit = a.read_whole_file ? re.test(text) : text.split('\n').some((line) => matchesAtStart(re, line));
    if (hit) kept.push(e);
  }
  return kept;
};

/** Ansible's find: files below directories matching patterns, age, size and content; sorted by path. */
export const findModule = defineModule({
  name: 'find',
  aliases: { name: 'paths', path: 'paths', pattern: 'patterns', exclude: 'excludes' },
  args: findArgs,
  facts: (a) => a.paths.map((p) => request(dirEntries, walkOf(a, p))),
  plan: async (a, ctx) => {
    const files: Record<string, unknown>[] = [];
    const skipped: Record<string, string> = {};
    let examined = 0;
    for (const path of a.paths) {
      const walk = await ctx.facts.read(dirEntries, walkOf(a, path));
      if (!walk.isDir) {
        skipped[path] = walk.error ?? `'${path}' is not a directory`;
        continue;
      }
      examined += walk.entries.length;
      const found = await containing(ctx, a, candidates(a, walk.entries, walk.now));
      const sums = a.get_checksum ? found.filter((e) => e.type === 'file').map((e) => request(fileDigest, { path: e.path, algorithm: 'sha1' as const })) : [];
      await ctx.facts.readAll(sums);
      for (const e of found.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0))) {
        const info = statinfo(e);
        if (a.get_checksum && e.type === 'file') info.checksum = await ctx.facts.read(fileDigest, { path: e.path, algorithm: 'sha1' });
        files.push(info);
      }
    }
    const msg = Object.keys(skipped).length ? 'Not all paths examined, check warnings for details' : 'All paths examined';
    return { changes: [], result: { files, matched: files.length, examined, skipped_paths: skipped, msg } };
  },
});
