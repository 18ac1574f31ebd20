import { posix } from 'node:path';
import { z } from 'zod';
import { fileContent } from '../../facts/builtin/file-content.js';
import { fileFactsOf } from '../../facts/builtin/file-facts.js';
import { fileStat } from '../../facts/builtin/file-stat.js';
import { request } from '../../facts/fact.js';
import { shellJoin } from '../../transport/shell-quote.js';
import { boolArg } from '../arg-types.js';
import { bufferSource } from '../content-source.js';
import { execChecked } from '../exec-checked.js';
import { applyFileChange, fileContentFacts, planFileContent, type FileChange, wantedFile } from '../file-content.js';
import { fileAttributeArgs } from '../file-attributes.js';
import { defineModule, type Change } from '../module.js';
import { validateArg } from '../validated-write.js';
import { compiles, editMessage, validationFailure } from './file-edit.js';
import { editBlock } from './blockinfile-edit.js';

const blockinfileArgs = z
  .strictObject({
    path: z.string().min(1),
    state: z.enum(['present', 'absent']).default('present'),
    marker: z.string().default('# {mark} ANSIBLE MANAGED BLOCK'),
    marker_begin: z.string().default('BEGIN'),
    marker_end: z.string().default('END'),
    block: z.string().default(''),
    insertafter: z.string().min(1).optional(),
    insertbefore: z.string().min(1).optional(),
    create: boolArg.default(false),
    backup: boolArg.default(false),
    validate: validateArg.optional(),
    ...fileAttributeArgs,
    secret: boolArg.default(false),
  })
  .refine((a) => a.insertafter === undefined || a.insertbefore === undefined, 'insertafter and insertbefore are mutually exclusive')
  .refine(
    (a) => [a.insertafter, a.insertbefore].every((p) => p === 'EOF' || p === 'BOF' || compiles(p)),
    'insertafter and insertbefore must be valid regular expressions',
  );

/** A directory to create before the file (Ansible creates a missing parent with create=true). */
interface ParentChange extends Change {
  mkdir: string;
}

export const blockinfileModule = defineModule<typeof blockinfileArgs, FileChange | ParentChange>({
  name: 'blockinfile',
  aliases: { dest: 'path', destfile: 'path', name: 'path', content: 'block' },
  args: blockinfileArgs,
  facts: (a) => [...fileContentFacts(a.path), request(fileContent, a.path), request(fileStat, posix.dirname(a.path))],
  plan: async (a, ctx) => {
    const state = await ctx.facts.read(fileStat, a.path);
    if (state.type === 'directory') return { changes: [], result: { rc: 256 }, failed: `Path ${a.path} is a directory !` };
    if (!state.exists && a.state === 'absent') return { changes: [], result: { msg: `File ${a.path} not present` } };
    if (!state.exists && !a.create) return { changes: [], result: { rc: 257 }, failed: `Path ${a.path} does not exist !` };
    const original = (await ctx.facts.read(fileContent, a.path))?.toString('utf8') ?? null;
    const text = editBlock(original, {
      present: a.state === 'present',
      block: a.block,
      marker: a.marker,
      markerBegin: a.marker_begin,
      markerEnd: a.marker_end,
      insertafter: a.insertafter,
      insertbefore: a.insertbefore,
    });
    const contentMsg =
      text === original ? '' : original === null ? 'File created' : a.state === 'absent' || a.block === '' ? 'Block removed' : 'Block inserted';
    const want = wantedFile(a.path, bufferSource(text), a);
    const plan = await planFileContent(ctx, want);
    const parent = posix.dirname(a.path);
    const mkdir: ParentChange[] =
      !state.exists && !(await ctx.facts.read(fileStat, parent)).exists
        ? [{ summary: `create ${parent}`, mkdir: parent, invalidates: fileFactsOf(parent), quiet: true }]
        : [];
    return { ...plan, changes: [...mkdir, ...plan.changes], result: { msg: editMessage(contentMsg, plan) } };
  },
  apply: async (changes, _a, ctx) => {
    let result = {};
    for (const change of changes) {
      if ('mkdir' in change) await execChecked(ctx, `mkdir -p -- ${shellJoin([change.mkdir])}`);
      else result = await applyFileChange(ctx, change).catch(validationFailure);
    }
    return result;
  },
});
