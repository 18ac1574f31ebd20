import { z } from 'zod';
import { shellJoin } from '../../transport/shell-quote.js';
import { boolArg } from '../arg-types.js';
import { defineModule, type Change, type FileDiff } from '../module.js';

// Ansible takes the value as a string: YAML's true is Python's 'True' (a boolean question lowercases it)
const pythonString = z.union([z.string(), z.number(), z.boolean()]).transform((v) => (typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v)));

const debconfArgs = z
  .strictObject({
    name: z.string().min(1),
    question: z.string().min(1).optional(),
    vtype: z.enum(['boolean', 'error', 'multiselect', 'note', 'password', 'seen', 'select', 'string', 'text', 'title']).optional(),
    value: pythonString.optional(),
    /** do not mark the question as seen */
    unseen: boolArg.default(false),
  })
  .refine(
    (a) => [a.question, a.vtype, a.value].every((v) => v === undefined) || [a.question, a.vtype, a.value].every((v) => v !== undefined),
    'parameters are required together: question, vtype, value',
  );

type DebconfArgs = z.output<typeof debconfArgs>;

// what Ansible shows in place of a value it must not show
const NO_LOG_MASK = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER';

/** debconf-show's answers: `* question: value` (the star: seen), a question without an answer ''. */
const selectionsOf = (stdout: string): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    out[line.slice(0, colon).replace(/^[\s*]+|[\s*]+$/g, '')] = line.slice(colon + 1).trim();
  }
  return out;
};

interface SetChange extends Change {
  line: string;
}

const describe = (answers: Record<string, string>) =>
  Object.entries(answers)
    .map(([q, v]) => `${q}: ${v}\n`)
    .join('');

/**
 * Ansible's debconf: a package's answer to one question, set with debconf-set-selections (the answer on stdin,
 * never on a command line) when debconf-show says otherwise; `value` of a `password` question never shown.
 */
export const debconfModule = defineModule({
  name: 'debconf',
  args: debconfArgs,
  aliases: { pkg: 'name', selection: 'question', setting: 'question', answer: 'value' },
  plan: async (a: DebconfArgs, ctx) => {
    const listed = await ctx.exec(shellJoin(['debconf-show', a.name]));
    if (listed.code !== 0) return { changes: [], failed: listed.stderr.trim() || `debconf-show failed with rc=${listed.code}` };
    const prev = selectionsOf(listed.stdout);
    if (a.question === undefined || a.vtype === undefined || a.value === undefined) return { changes: [], result: { msg: '', current: prev } };
    const boolean = a.vtype === 'boolean';
    const value = boolean ? a.value.toLowerCase() : a.value;
    const existing = a.question in prev ? (boolean ? prev[a.question].toLowerCase() : prev[a.question]) : undefined;
    if (existing === value) return { changes: [], result: { msg: '', current: prev } };
    // a password is never shown, not even in the task's result (Ansible shows it unless the task is no_log)
    const shown = (v: string) => (a.vtype === 'password' && v !== '' ? NO_LOG_MASK : v);
    const previous = { [a.question]: shown(prev[a.question] ?? '') };
    const current = { [a.question]: shown(value) };
    const diff: FileDiff | undefined = ctx.diff
      ? { path: `debconf ${a.name}`, before: describe(previous), after: describe(current), redact: a.vtype === 'password' }
      : undefined;
    const change: SetChange = { summary: `answer ${a.question}`, line: [a.name, a.question, a.vtype, value].join(' '), diff, invalidates: [] };
    return { changes: [change], result: { msg: '', current, previous } };
  },
  apply: async ([change], a, ctx) => {
    const res = await ctx.exec(shellJoin(['debconf-set-selections', ...(a.unseen ? ['-u'] : [])]), { stdin: change.line });
    if (res.code !== 0) return { changed: false, failed: true, msg: res.stderr.trim() };
    return { msg: res.stdout };
  },
});
