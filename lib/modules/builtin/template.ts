import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { boolArg } from '../arg-types.js';
import { bufferSource } from '../content-source.js';
import { ensureFileContent, fileResult } from '../ensure-file-content.js';
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
  probes: (args) => [{ path: args.dest }],
  run: async (args, ctx) => {
    const template = await readFile(await ctx.findTemplate(args.src), 'utf8');
    const source = bufferSource(ctx.render(template));
    const want = { path: args.dest, source, mode: args.mode, owner: args.owner, group: args.group, backup: args.backup, secret: args.secret };
    return fileResult(want, await ensureFileContent(ctx, want));
  },
});
