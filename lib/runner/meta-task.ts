import type { PathPart, YamlSource } from './source.js';

/**
 * Ansible's `meta:` actions nop runs. Each acts on the play, not the host's system: they are run by the play
 * loop (run-play.ts), shown in no result (as ansible-playbook shows none) and counted in no recap column.
 */
export const META_ACTIONS = ['flush_handlers', 'end_play', 'end_host', 'clear_facts', 'noop'] as const;
export type MetaAction = (typeof META_ACTIONS)[number];

// Ansible's others, refused by name: nop has no inventory to refresh mid-run, no connection to reset between tasks, no batch ends
const NOT_TAKEN: Record<string, string> = {
  refresh_inventory: 'the inventory is read once, before the run',
  reset_connection: 'connections are reopened only by the modules that need it (reboot)',
  clear_host_errors: 'a failed host stays failed',
  end_batch: 'not supported',
  role_complete: 'not supported',
};

const PREFIXES = ['ansible.builtin.', 'ansible.legacy.'];

/** Whether a task key is `meta` (or its qualified names). */
export const isMetaKey = (key: string): boolean => PREFIXES.some((p) => key === `${p}meta`) || key === 'meta';

// the keywords a meta task takes besides `meta` (Ansible's meta takes `when` for all but flush_handlers)
const META_KEYWORDS = new Set(['name', 'when', 'tags', 'vars']);

/** The meta action of a task, checked at load: a known action, with only the keywords it honours. */
export const parseMeta = (value: unknown, keywords: readonly string[], src: YamlSource, path: PathPart[], key: string): MetaAction => {
  if (typeof value !== 'string') throw src.error([...path, key], 'meta takes one action name, e.g. `meta: flush_handlers`');
  const action = value.trim();
  if (action in NOT_TAKEN) throw src.error([...path, key], `meta '${action}' is not supported by nop: ${NOT_TAKEN[action]}`);
  if (!(META_ACTIONS as readonly string[]).includes(action))
    throw src.error([...path, key], `unknown meta action '${action}': expected one of ${META_ACTIONS.join(', ')}`);
  const extra = keywords.find((k) => !META_KEYWORDS.has(k));
  if (extra) throw src.keyError([...path, extra], `'${extra}' does not apply to a meta task (it takes name, when, tags and vars)`);
  if (action === 'flush_handlers' && keywords.includes('when'))
    throw src.keyError([...path, 'when'], "flush_handlers does not support 'when' (Ansible ignores it with a warning; a condition nobody checks is refused)");
  return action as MetaAction;
};
