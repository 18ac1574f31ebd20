import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { boolArg } from '../arg-types.js';
import { bufferSource } from '../content-source.js';
import { applyFileChange, fileContentFacts, fileResultOf, planFileContent } from '../file-content.js';
import { fileAttributeArgs } from '../file-attributes.js';
import { defineModule } from '../module.js';

const templateArgs = z.strictObject({
  /** a Handlebars file, found in the role's templates/, then the playbook's and the project's */
  src: z.string().min(1),
  dest: z.string().min(1),
  ...fileAttributeArgs,
  backup: boolArg.default(false),
  /** the rendered file holds secrets: its diff is redacted */
  secret: boolArg.default(false),
});

export const templateModule = defineModule({
  name: 'template',
  args: templateArgs,
  facts: (args) => fileContentFacts(args.dest),
  plan: async (args, ctx) => {
    const template = await readFile(await ctx.findTemplate(args.src), 'utf8');
    const source = bufferSource(ctx.render(template));
    const want = { path: args.dest, source, mode: args.mode, owner: args.owner, group: args.group, backup: args.backup, secret: args.secret };
    const plan = await planFileContent(ctx, want);
    return { ...plan, result: fileResultOf(want, plan.attributes) };
  },
  apply: async ([change], _args, ctx) => applyFileChange(ctx, change),
});
