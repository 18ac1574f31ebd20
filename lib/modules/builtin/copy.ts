import { stat } from 'node:fs/promises';
import { basename, posix } from 'node:path';
import { z } from 'zod';
import { fileChecksum } from '../../facts/builtin/file-checksum.js';
import { fileContent } from '../../facts/builtin/file-content.js';
import { fileDigest } from '../../facts/builtin/file-digest.js';
import { fileStat } from '../../facts/builtin/file-stat.js';
import { request } from '../../facts/fact.js';
import { boolArg, modeArg } from '../arg-types.js';
import { bufferSource, localFileSource, type ContentSource } from '../content-source.js';
import { planTree, walkLocalTree, walkRemoteTree, type DirChange } from '../copy-tree.js';
import { execChecked } from '../exec-checked.js';
import { applyFileChange, fileContentFacts, fileResultOf, planFileContent, type FileChange, wantedFile } from '../file-content.js';
import { fileAttributeArgs } from '../file-attributes.js';
import { defineModule, type ModuleContext, type ModuleResult, type Plan } from '../module.js';
import { remoteFileSource } from '../remote-source.js';
import { ValidationError, validateArg } from '../validated-write.js';

const copyArgs = z
  .strictObject({
    dest: z.string().min(1),
    content: z.string().optional(),
    /** a file or directory on the controller (role files/, the playbook's directory, the cwd), or on the host with remote_src */
    src: z.string().min(1).optional(),
    remote_src: boolArg.default(false),
    ...fileAttributeArgs,
    /** the mode of directories a tree copy creates */
    directory_mode: modeArg.optional(),
    backup: boolArg.default(false),
    /** false: leave an existing dest alone, whatever it holds */
    force: boolArg.default(true),
    validate: validateArg.optional(),
    /** links in a local src tree are followed (Ansible's default; copying links as links is not supported) */
    local_follow: z.literal(true).or(z.literal('yes')).optional(),
    secret: boolArg.default(false),
  })
  .refine((a) => (a.content === undefined) !== (a.src === undefined), 'exactly one of content or src is required')
  .refine((a) => a.content === undefined || !a.dest.endsWith('/'), 'can not use content with a dir as dest')
  .refine((a) => !a.remote_src || a.src !== undefined, 'remote_src needs src');

type CopyArgs = z.output<typeof copyArgs>;
type CopyChange = FileChange | DirChange;

// as in Ansible, `src` copied to a directory (or a dest ending in /) lands inside it under its own name
const inDirectory = (args: CopyArgs): string | undefined => (args.src === undefined ? undefined : posix.join(args.dest, basename(args.src)));

const resolveDest = async (ctx: ModuleContext, args: CopyArgs): Promise<string> => {
  const inside = inDirectory(args);
  if (inside === undefined) return args.dest;
  if (args.dest.endsWith('/')) return inside;
  return (await ctx.facts.read(fileStat, args.dest)).type === 'directory' ? inside : args.dest;
};

/** A source directory is copied into dest under its own name, or (src ending in /) its content into dest itself. */
const treeTop = (args: CopyArgs): string => (args.src!.endsWith('/') ? args.dest : posix.join(args.dest, basename(args.src!)));

const remoteSource = async (ctx: ModuleContext, src: string): Promise<ContentSource | string> => {
  await ctx.facts.readAll([
    request(fileChecksum, src),
    request(fileDigest, { path: src, algorithm: 'sha1' }),
    request(fileDigest, { path: src, algorithm: 'md5' }),
  ]);
  const sha256 = await ctx.facts.read(fileChecksum, src);
  if (sha256 === null) return `Source ${src} not found`;
  const size = (await ctx.facts.read(fileStat, src)).size ?? 0;
  const sha1 = (await ctx.facts.read(fileDigest, { path: src, algorithm: 'sha1' })) ?? '';
  const md5 = (await ctx.facts.read(fileDigest, { path: src, algorithm: 'md5' })) ?? '';
  return remoteFileSource(src, { sha256, sha1, md5, size }, () => ctx.facts.read(fileContent, src));
};

const planOneFile = async (ctx: ModuleContext, args: CopyArgs, source: ContentSource, src: string | undefined): Promise<Plan<CopyChange>> => {
  const dest = await resolveDest(ctx, args);
  if (!args.force && (await ctx.facts.read(fileStat, dest)).exists) return { changes: [], result: { dest, msg: 'dest exists and force is false' } };
  const want = wantedFile(dest, source, args);
  const plan = await planFileContent(ctx, want);
  const written = plan.changes.some((c) => c.put !== undefined);
  // Ansible reports the source and its md5 when it copied (always, for a copy on the host), the path when the
  // content was already there
  const reportSource = written || args.remote_src;
  const result = { ...fileResultOf(want, plan.attributes), ...(reportSource ? { md5sum: source.md5, ...(src ? { src } : {}) } : { path: dest }) };
  return { ...plan, result };
};

const planTreeCopy = async (ctx: ModuleContext, args: CopyArgs, entries: Awaited<ReturnType<typeof walkLocalTree>>, src: string): Promise<Plan<CopyChange>> => {
  const top = treeTop(args);
  const plan = await planTree(ctx, entries, top, {
    mode: args.mode,
    directory_mode: args.directory_mode,
    owner: args.owner,
    group: args.group,
    backup: args.backup,
  });
  return { ...plan, result: { dest: args.dest.endsWith('/') ? args.dest : `${args.dest}/`, src } };
};

const isLocalDir = async (path: string) => (await stat(path)).isDirectory();

export const copyModule = defineModule<typeof copyArgs, CopyChange>({
  name: 'copy',
  args: copyArgs,
  facts: (args) => [args.dest, inDirectory(args), args.remote_src ? args.src : undefined].filter((p) => p !== undefined).flatMap(fileContentFacts),
  plan: async (args, ctx) => {
    if (args.src === undefined) return planOneFile(ctx, args, bufferSource(args.content ?? ''), undefined);
    if (args.remote_src) {
      const state = await ctx.facts.read(fileStat, args.src);
      if (state.type === 'directory') return planTreeCopy(ctx, args, await walkRemoteTree(ctx, args.src), args.src);
      const source = await remoteSource(ctx, args.src);
      if (typeof source === 'string') return { changes: [], failed: source };
      return planOneFile(ctx, args, source, args.src);
    }
    const local = await ctx.findFile(args.src);
    if (await isLocalDir(local)) return planTreeCopy(ctx, args, await walkLocalTree(local), args.src.endsWith('/') ? `${local}/` : local);
    return planOneFile(ctx, args, await localFileSource(local), local);
  },
  apply: async (changes, _args, ctx) => {
    let out: Partial<ModuleResult> = {};
    for (const change of changes) {
      if ('want' in change) out = { ...out, ...(await applyFileChange(ctx, change).catch(copyValidationFailure)) };
      else await execChecked(ctx, change.commands.join(' && '));
      if (out.failed) return out;
    }
    return out;
  },
});

/** copy and template report a refused validation as Ansible's copy does. */
export const copyValidationFailure = (e: unknown): Partial<ModuleResult> => {
  if (!(e instanceof ValidationError)) throw e;
  return { changed: false, failed: true, msg: 'failed to validate', exit_status: e.rc, stdout: e.stdout, stderr: e.stderr };
};
