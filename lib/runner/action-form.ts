import { isMapping, type PathPart, type YamlSource } from './source.js';

/** The task keys that name their module inside their value: `action:` and `local_action:` (delegated to localhost). */
export const ACTION_KEYS: ReadonlySet<string> = new Set(['action', 'local_action']);

export interface ActionForm {
  module: string;
  /** the module's arguments: a mapping, or the key=value / free-form string after the module's name */
  args: unknown;
  /** local_action: the task runs on the controller (delegate_to: localhost) */
  local: boolean;
}

/**
 * Ansible's older task forms: `local_action: command echo hi` (the module's name, then its arguments as a string)
 * and `local_action: {module: copy, src: a, dest: b}` (the name under `module:`, the rest its arguments).
 */
export const actionForm = (key: string, value: unknown, src: YamlSource, path: PathPart[]): ActionForm => {
  const local = key === 'local_action';
  if (typeof value === 'string') {
    const m = /^\s*(\S+)(?:\s+([\s\S]*))?$/.exec(value);
    if (!m) throw src.error([...path, key], `${key} needs a module name, e.g. \`${key}: command echo hi\``);
    return { module: m[1], args: m[2]?.trim() ?? '', local };
  }
  if (!isMapping(value) || typeof value.module !== 'string')
    throw src.error([...path, key], `${key} needs a module: \`${key}: MODULE ARGS\` or a mapping with \`module: MODULE\``);
  const { module, ...args } = value;
  return { module, args, local };
};
