import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { boolArg } from '../arg-types.js';
import { bufferSource } from '../content-source.js';
import { applyFileChange, fileContentFacts, fileResultOf, planFileContent, wantedFile } from '../file-content.js';
import { fileAttributeArgs } from '../file-attributes.js';
import { fileStat } from '../../facts/builtin/file-stat.js';
import { defineModule } from '../module.js';
import { validateArg } from '../validated-write.js';
import { copyValidationFailure } from './copy.js';

const templateArgs = z.strictObject({
  /** a Jinja2 file (Handlebars when it ends in .hbs), found in the role's templates/, then the playbook's and the project's */
  src: z.string().min(1),
  dest: z.string().min(1),
  ...fileAttributeArgs,
  backup: boolArg.default(false),
  /** false: leave an existing dest alone */
  force: boolArg.default(true),
  validate: validateArg.optional(),
  /** the rendered file holds secrets: its diff is redacted */
  secret: boolArg.default(false),
});

// what Ansible's template module adds to a template's variables
const templateVars = (path: string, dest: string, host: string) => ({
  ansible_managed: 'Ansible managed',
  template_path: path,
  template_fullpath: path,
  template_destpath: dest,
  template_host: host,
});

export const templateModule = defineModule({
  name: 'template',
  args: templateArgs,
  facts: (args) => fileContentFacts(args.dest),
  plan: async (args, ctx) => {
    if (!args.force && (await ctx.facts.read(fileStat, args.dest)).exists) return { changes: [], result: { dest: args.dest } };
    const path = await ctx.findTemplate(args.src);
    const source = bufferSource(ctx.renderTemplateFile(path, await readFile(path, 'utf8'), templateVars(path, args.dest, ctx.hostname)));
    const want = wantedFile(args.dest, source, args);
    const plan = await planFileContent(ctx, want);
    const written = plan.changes.some((c) => c.put !== undefined);
    return { ...plan, result: { ...fileResultOf(want, plan.attributes), ...(written ? { md5sum: source.md5, src: path } : { path: args.dest }) } };
  },
  apply: async ([change], _args, ctx) => applyFileChange(ctx, change).catch(copyValidationFailure),
});
