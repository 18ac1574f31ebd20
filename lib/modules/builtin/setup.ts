import { z } from 'zod';
import { ansibleFacts } from '../../facts/builtin/ansible-facts.js';
import { request } from '../../facts/fact.js';
import { globToRegExp } from '../../inventory/fnmatch.js';
import { defineModule } from '../module.js';

const stringList = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : v.split(',').map((s) => s.trim())));

const setupArgs = z.strictObject({
  /** only the facts whose `ansible_` names match one of these shell patterns (`ansible_distribution*`) */
  filter: stringList.optional(),
  /** Ansible's subsets (all, min, hardware, network…): nop gathers one set, the same whichever is asked */
  gather_subset: stringList.optional(),
});

/**
 * Ansible's fact gathering: the facts as `ansible_<name>` host variables, and all of them under `ansible_facts`
 * (unprefixed, as `ansible_facts['distribution']` reads them).
 */
export const setupModule = defineModule({
  name: 'setup',
  args: setupArgs,
  facts: () => [request(ansibleFacts, undefined)],
  plan: async (a, ctx) => {
    const facts = await ctx.facts.read(ansibleFacts, undefined);
    const patterns = a.filter?.filter((p) => p !== '').map(globToRegExp);
    const kept = Object.entries(facts).filter(([k]) => !patterns?.length || patterns.some((p) => p.test(`ansible_${k}`)));
    const prefixed = Object.fromEntries(kept.map(([k, v]) => [`ansible_${k}`, v]));
    return { changes: [], result: { ansible_facts: { ...prefixed, ansible_facts: Object.fromEntries(kept) } } };
  },
});
