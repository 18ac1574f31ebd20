import type { PlaySpec, TaskSpec } from './types.js';

/** Ansible's implicit first task: system facts as `ansible_facts` and `ansible_<name>` variables. */
export const gatherFactsTask = (play: PlaySpec): TaskSpec => ({
  name: 'Gathering Facts',
  tags: ['always'],
  check_mode: false,
  source: play.source,
  action: {
    kind: 'code',
    run: async (ctx) => {
      const facts = await ctx.facts.system();
      const prefixed = Object.fromEntries(Object.entries(facts).map(([k, v]) => [`ansible_${k}`, v]));
      return { changed: false, ansible_facts: { ansible_facts: facts, ...prefixed } };
    },
  },
});
