import { basename, posix } from 'node:path';
import { z } from 'zod';
import { boolArg } from '../arg-types.js';
import { bufferSource, localFileSource } from '../content-source.js';
import { applyFileChange, fileContentFacts, fileResultOf, planFileContent } from '../file-content.js';
import { fileAttributeArgs } from '../file-attributes.js';
import { fileStat } from '../../facts/builtin/file-stat.js';
import { defineModule, type ModuleContext } from '../module.js';

const copyArgs = z
  .strictObject({
    dest: z.string().min(1),
    content: z.string().optional(),
    /** a file on the controller, found in the role's files/, the playbook's directory, then the cwd */
    src: z.string().min(1).optional(),
    ...fileAttributeArgs,
    backup: boolArg.default(false),
    /** false: leave an existing dest alone, whatever it holds */
    force: boolArg.default(true),
    secret: boolArg.default(false),
  })
  .refine((a) => (a.content === undefined) !== (a.src === undefined), 'exactly one of content or src is required');

type CopyArgs = z.output<typeof copyArgs>;

// as in Ansible, `src` copied to a directory (or a dest ending in /) lands inside it under its own name
const inDirectory = (args: CopyArgs): string | undefined => (args.src === undefined ? undefined : posix.join(args.dest, basename(args.src)));

const resolveDest = async (ctx: ModuleContext, args: CopyArgs): Promise<string> => {
  const inside = inDirectory(args);
  if (inside === undefined) return args.dest;
  if (args.dest.endsWith('/')) return inside;
  return (await ctx.facts.read(fileStat, args.dest)).type === 'directory' ? inside : args.dest;
};

export const copyModule = defineModule({
  name: 'copy',
  args: copyArgs,
  facts: (args) => [args.dest, inDirectory(args)].filter((p) => p !== undefined).flatMap(fileContentFacts),
  plan: async (args, ctx) => {
    const dest = await resolveDest(ctx, args);
    if (!args.force && (await ctx.facts.read(fileStat, dest)).exists) return { changes: [], result: { dest, msg: 'dest exists and force is false' } };
    const source = args.src === undefined ? bufferSource(args.content ?? '') : await localFileSource(await ctx.findFile(args.src));
    const want = { path: dest, source, mode: args.mode, owner: args.owner, group: args.group, backup: args.backup, secret: args.secret };
    const plan = await planFileContent(ctx, want);
    return { ...plan, result: fileResultOf(want, plan.attributes) };
  },
  apply: async ([change], _args, ctx) => applyFileChange(ctx, change),
});
