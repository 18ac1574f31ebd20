import { z } from 'zod';
import { boolArg } from '../arg-types.js';
import { defineModule } from '../module.js';

// `cacheable` is an option, not a fact: accepted for compatibility, dropped (no fact cache outlives a run)
const setFactArgs = z
  .record(z.string().regex(/^[A-Za-z_]\w*$/, 'a fact name must be a valid variable name'), z.unknown())
  .refine((a) => a.cacheable === undefined || boolArg.safeParse(a.cacheable).success, 'cacheable must be a boolean')
  .transform(({ cacheable: _cacheable, ...facts }) => facts)
  .refine((facts) => Object.keys(facts).length > 0, 'set_fact needs at least one fact');

/** New host variables: returned as `ansible_facts`, which the runner merges into the host's variables. */
export const setFactModule = defineModule({
  name: 'set_fact',
  args: setFactArgs,
  plan: async (args) => ({ changes: [], result: { ansible_facts: args } }),
});
