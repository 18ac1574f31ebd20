import { z } from 'zod';
import { fileContent } from '../../facts/builtin/file-content.js';
import { fileStat } from '../../facts/builtin/file-stat.js';
import { request } from '../../facts/fact.js';
import { boolArg } from '../arg-types.js';
import { bufferSource } from '../content-source.js';
import { applyFileChange, fileContentFacts, planFileContent, wantedFile } from '../file-content.js';
import { fileAttributeArgs } from '../file-attributes.js';
import { defineModule } from '../module.js';
import { expandTemplate, pythonRegex } from '../python-regex.js';
import { validateArg } from '../validated-write.js';
import { compiles, editMessage, validationFailure } from './file-edit.js';

const replaceArgs = z
  .strictObject({
    path: z.string().min(1),
    regexp: z.string().min(1).refine(compiles, 'regexp must be a valid regular expression'),
    replace: z.string().default(''),
    after: z.string().min(1).optional(),
    before: z.string().min(1).optional(),
    backup: boolArg.default(false),
    validate: validateArg.optional(),
    /** the file's text encoding: nop edits UTF-8 text (Ansible's default) */
    encoding: z.literal(['utf-8', 'utf8', 'UTF-8']).default('utf-8'),
    ...fileAttributeArgs,
    secret: boolArg.default(false),
  })
  .refine((a) => [a.after, a.before].every(compiles), 'after and before must be valid regular expressions');

type ReplaceArgs = z.output<typeof replaceArgs>;

/** re.subn with MULTILINE: every match replaced, the template expanded with its groups; the count of matches. */
const substitute = (text: string, a: ReplaceArgs): { text: string; count: number } => {
  const re = pythonRegex(a.regexp, 'gm');
  let count = 0;
  const out = text.replace(re, (...m) => {
    count++;
    const groups = typeof m.at(-1) === 'object' ? (m.at(-1) as Record<string, string>) : undefined;
    const captures = m.slice(0, groups ? -3 : -2) as string[];
    return expandTemplate(Object.assign(captures, { groups }) as unknown as RegExpMatchArray, a.replace);
  });
  return { text: out, count };
};

const patternOf = (a: ReplaceArgs): string =>
  a.after !== undefined && a.before !== undefined
    ? `${a.after}(?P<subsection>.*?)${a.before}`
    : a.after !== undefined
      ? `${a.after}(?P<subsection>.*)`
      : `(?P<subsection>.*)${a.before}`;

// the part of the file after/before select (Ansible's DOTALL "subsection"); undefined: they matched nothing
const sectionOf = (text: string, a: ReplaceArgs): { start: number; end: number } | undefined => {
  if (a.after === undefined && a.before === undefined) return { start: 0, end: text.length };
  const at = pythonRegex(patternOf(a), 'sd').exec(text)?.indices?.groups?.subsection;
  return at ? { start: at[0], end: at[1] } : undefined;
};

/** Ansible's replace: every match of a regexp in a file (or in the part after/before select) replaced. */
export const replaceModule = defineModule({
  name: 'replace',
  aliases: { dest: 'path', destfile: 'path', name: 'path' },
  args: replaceArgs,
  facts: (a) => [...fileContentFacts(a.path), request(fileContent, a.path)],
  plan: async (a, ctx) => {
    const state = await ctx.facts.read(fileStat, a.path);
    if (state.type === 'directory') return { changes: [], result: { rc: 256 }, failed: `Path ${a.path} is a directory !` };
    if (!state.exists) return { changes: [], result: { rc: 257 }, failed: `Path ${a.path} does not exist !` };
    const text = (await ctx.facts.read(fileContent, a.path))?.toString('utf8') ?? '';
    const section = sectionOf(text, a);
    if (!section) return { changes: [], result: { rc: 0, msg: `Pattern for before/after params did not match the given file: ${patternOf(a)}` } };
    const part = text.slice(section.start, section.end);
    const replaced = substitute(part, a);
    const changed = replaced.count > 0 && replaced.text !== part;
    const after = changed ? text.slice(0, section.start) + replaced.text + text.slice(section.end) : text;
    const want = wantedFile(a.path, bufferSource(after), a);
    const plan = await planFileContent(ctx, want);
    return { ...plan, result: { rc: 0, msg: editMessage(changed ? `${replaced.count} replacements made` : '', plan) } };
  },
  apply: async ([change], _a, ctx) => applyFileChange(ctx, change).catch(validationFailure),
});
