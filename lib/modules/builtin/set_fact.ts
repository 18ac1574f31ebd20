import { z } from 'zod';
import { asBoolean } from '../../template/boolean.js';
import { boolArg } from '../arg-types.js';
import { defineModule } from '../module.js';

const BOOLEAN_WORDS = new Set(['true', 'false', 'yes', 'no']);

// `cacheable` is an option, not a fact: accepted for compatibility, dropped (no fact cache outlives a run)
const setFactArgs = z
  .record(z.string().regex(/^[A-Za-z_]\w*$/, 'a fact name must be a valid variable name'), z.unknown())
  .refine((a) => a.cacheable === undefined || boolArg.safeParse(a.cacheable).success, 'cacheable must be a boolean')
  // as Ansible's set_fact: `enabled=yes` (k=v values are strings) and "true"/"no" strings set booleans
  .transform(({ cacheable: _cacheable, ...facts }) =>
    Object.fromEntries(Object.entries(facts).map(([k, v]) => [k, typeof v === 'string' && BOOLEAN_WORDS.has(v.toLowerCase()) ? asBoolean(v) : v])),
  )
  .refine((facts) => Object.keys(facts).length > 0, 'set_fact needs at least one fact');

/** New host variables: returned as `ansible_facts`, which the runner merges into the host's variables. */
export const setFactModule = defineModule({
  name: 'set_fact',
  args: setFactArgs,
  plan: async (args) => ({ changes: [], result: { ansible_facts: args } }),
});
