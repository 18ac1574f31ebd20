import { z } from 'zod';
import { systemFacts } from '../../facts/builtin/system.js';
import { request } from '../../facts/fact.js';
import { defineModule } from '../module.js';

/** Ansible's fact gathering: system facts as `ansible_facts` and `ansible_<name>` host variables. */
export const setupModule = defineModule({
  name: 'setup',
  args: z.strictObject({}),
  facts: () => [request(systemFacts, undefined)],
  plan: async (_args, ctx) => {
    const facts = await ctx.facts.read(systemFacts, undefined);
    const prefixed = Object.fromEntries(Object.entries(facts).map(([k, v]) => [`ansible_${k}`, v]));
    return { changes: [], result: { ansible_facts: { ansible_facts: facts, ...prefixed } } };
  },
});
