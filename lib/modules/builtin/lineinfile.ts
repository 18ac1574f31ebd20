import { z } from 'zod';
import { boolArg } from '../arg-types.js';
import { bufferSource } from '../content-source.js';
import { fileContent } from '../../facts/builtin/file-content.js';
import { request } from '../../facts/fact.js';
import { applyFileChange, fileContentFacts, planFileContent, wantedFile } from '../file-content.js';
import { fileAttributeArgs } from '../file-attributes.js';
import { defineModule } from '../module.js';
import { validateArg } from '../validated-write.js';
import { compiles, editMessage, validationFailure } from './file-edit.js';
import { pythonRegex } from '../python-regex.js';
import { absentLine, presentLine, splitLines, type LineEdit } from './lineinfile-edit.js';

const lineinfileArgs = z
  .strictObject({
    path: z.string().min(1),
    line: z.string().optional(),
    regexp: z.string().min(1).optional(),
    search_string: z.string().min(1).optional(),
    state: z.enum(['present', 'absent']).default('present'),
    insertafter: z.string().min(1).optional(),
    insertbefore: z.string().min(1).optional(),
    create: boolArg.default(false),
    backup: boolArg.default(false),
    backrefs: boolArg.default(false),
    firstmatch: boolArg.default(false),
    validate: validateArg.optional(),
    ...fileAttributeArgs,
    secret: boolArg.default(false),
  })
  .refine((a) => a.state === 'absent' || a.line !== undefined, 'line is required with state=present')
  .refine(
    (a) => a.state === 'present' || a.line !== undefined || a.regexp !== undefined || a.search_string !== undefined,
    'one of line, regexp or search_string is required with state=absent',
  )
  .refine((a) => a.insertafter === undefined || a.insertbefore === undefined, 'insertafter and insertbefore are mutually exclusive')
  .refine((a) => a.regexp === undefined || a.search_string === undefined, 'regexp and search_string are mutually exclusive')
  .refine((a) => !a.backrefs || a.regexp !== undefined, 'backrefs requires regexp')
  .refine((a) => [a.regexp, a.insertafter, a.insertbefore].every(compiles), 'regexp, insertafter and insertbefore must be valid regular expressions');

type LineinfileArgs = z.output<typeof lineinfileArgs>;

const edit = (lines: string[], a: LineinfileArgs): LineEdit => {
  const match = { line: a.line, regexp: a.regexp === undefined ? undefined : pythonRegex(a.regexp), searchString: a.search_string };
  if (a.state === 'absent') return absentLine(lines, match);
  return presentLine(lines, {
    ...match,
    line: a.line ?? '',
    insertafter: a.insertafter,
    insertbefore: a.insertbefore,
    backrefs: a.backrefs,
    firstmatch: a.firstmatch,
  });
};

export const lineinfileModule = defineModule({
  name: 'lineinfile',
  aliases: { dest: 'path', destfile: 'path', name: 'path', regex: 'regexp', value: 'line' },
  args: lineinfileArgs,
  facts: (args) => [...fileContentFacts(args.path), request(fileContent, args.path)],
  plan: async (args, ctx) => {
    const current = await ctx.facts.read(fileContent, args.path);
    if (current === null && args.state === 'absent') return { changes: [], result: { path: args.path, msg: 'file not present' } };
    if (current === null && !args.create) return { changes: [], result: { rc: 257, path: args.path }, failed: `Destination ${args.path} does not exist !` };
    const edited = edit(splitLines(current?.toString('utf8') ?? ''), args);
    const want = wantedFile(args.path, bufferSource(edited.lines.join('')), args);
    const plan = await planFileContent(ctx, want);
    return { ...plan, result: { msg: editMessage(edited.msg, plan), path: args.path } };
  },
  apply: async ([change], _args, ctx) => {
    const applied = await applyFileChange(ctx, change).catch(validationFailure);
    // lineinfile names it `backup`, as Ansible's does
    if (!('backup_file' in applied)) return applied;
    const { backup_file, ...rest } = applied;
    return { ...rest, backup: backup_file };
  },
});
