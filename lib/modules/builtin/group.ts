import { z } from 'zod';
import { findGroup, groupDb, type GroupEntry } from '../../facts/builtin/group-db.js';
import { passwdEntry } from '../../facts/builtin/passwd-entry.js';
import { request } from '../../facts/fact.js';
import { shellJoin } from '../../transport/shell-quote.js';
import { boolArg, intArg } from '../arg-types.js';
import { execChecked } from '../exec-checked.js';
import { defineModule, type Change, type FileDiff } from '../module.js';

// a name groupadd accepts: no colon, comma, whitespace or leading dash (never an option)
const accountName = z
  .string()
  .min(1)
  .regex(/^[^-:,\s][^:,\s]*$/, 'must be a user or group name (no colon, comma, blank or leading dash)');

const groupArgs = z
  .strictObject({
    name: accountName,
    state: z.enum(['present', 'absent']).default('present'),
    gid: intArg.optional(),
    system: boolArg.default(false),
    non_unique: boolArg.default(false),
  })
  .refine((a) => !a.non_unique || a.gid !== undefined, 'non_unique requires gid');

/** What changing groups makes stale: the group list, and users' entries (their primary group's name). */
export const GROUP_FACTS = [{ fact: groupDb }, { fact: passwdEntry }];

interface GroupChange extends Change {
  argv: string[];
}

const describe = (g: GroupEntry | undefined) => (g ? `group ${g.name} (gid ${g.gid})\n` : '');

const diffOf = (name: string, before: GroupEntry | undefined, after: string): FileDiff => ({ path: `group ${name}`, before: describe(before), after });

/** Ansible's group: groupadd, groupmod -g, groupdel, only when the group database says so. */
export const groupModule = defineModule({
  name: 'group',
  args: groupArgs,
  facts: () => [request(groupDb, undefined)],
  plan: async (a, ctx) => {
    const current = (await ctx.facts.read(groupDb, undefined)).find((g) => g.name === a.name);
    const change = (summary: string, argv: string[], after: string): GroupChange => ({
      summary,
      argv,
      diff: ctx.diff ? diffOf(a.name, current, after) : undefined,
      invalidates: GROUP_FACTS,
    });
    if (a.state === 'absent')
      return { changes: current ? [change(`remove group ${a.name}`, ['groupdel', a.name], '')] : [], result: { name: a.name, state: a.state } };
    if (!current) {
      const argv = ['groupadd', ...(a.gid !== undefined ? ['-g', String(a.gid), ...(a.non_unique ? ['-o'] : [])] : []), ...(a.system ? ['-r'] : []), a.name];
      return {
        changes: [change(`add group ${a.name}`, argv, `group ${a.name}${a.gid !== undefined ? ` (gid ${a.gid})` : ''}\n`)],
        result: { name: a.name, state: a.state },
      };
    }
    const result = { name: a.name, state: a.state, system: a.system, gid: a.gid ?? current.gid };
    if (a.gid === undefined || a.gid === current.gid) return { changes: [], result: { ...result, gid: current.gid } };
    const argv = ['groupmod', '-g', String(a.gid), ...(a.non_unique ? ['-o'] : []), a.name];
    return { changes: [change(`set gid ${a.gid} on group ${a.name}`, argv, `group ${a.name} (gid ${a.gid})\n`)], result };
  },
  apply: async ([change], a, ctx) => {
    await execChecked(ctx, shellJoin(change.argv));
    if (a.state === 'absent') return {};
    ctx.facts.invalidate(GROUP_FACTS);
    const created = findGroup(await ctx.facts.read(groupDb, undefined), a.name);
    return { system: a.system, gid: created?.gid };
  },
});
