import { z } from 'zod';
import { condition, evaluate } from '../template/expression.js';
import { outputOf } from '../template/python-repr.js';
import { InventoryError } from './errors.js';
import { hostVars } from './host-vars.js';
import { addChild, addGroup, addHostToGroup, type Inventory, setHostVar } from './model.js';
import type { YamlSource } from './yaml-source.js';

// Ansible's constructed inventory plugin (lib/ansible/plugins/inventory/constructed.py): variables, conditional
// groups and keyed groups made from the hosts the sources before it defined, from their inventory variables.

const keyedGroupSchema = z.strictObject({
  key: z.string(),
  prefix: z.string().default(''),
  separator: z.string().default('_'),
  default_value: z.string().optional(),
  trailing_separator: z.boolean().optional(),
  parent_group: z.string().optional(),
});

export const constructedSchema = z.strictObject({
  plugin: z.enum(['constructed', 'ansible.builtin.constructed']),
  strict: z.boolean().default(false),
  compose: z.record(z.string(), z.string()).default({}),
  groups: z.record(z.string(), z.string()).default({}),
  keyed_groups: z.array(keyedGroupSchema).default([]),
  leading_separator: z.boolean().default(true),
});
type Constructed = z.infer<typeof constructedSchema>;
type KeyedGroup = z.infer<typeof keyedGroupSchema>;

/** Whether a YAML inventory file is a `constructed` plugin configuration. */
export const isConstructed = (data: unknown): boolean =>
  data !== null && typeof data === 'object' && ['constructed', 'ansible.builtin.constructed'].includes((data as { plugin?: unknown }).plugin as string);

const keyNames = (key: unknown, k: KeyedGroup): string[] => {
  const orDefault = (name: string): string => (name === '' && k.default_value !== undefined ? k.default_value : name);
  if (typeof key === 'string') return [orDefault(key)];
  if (Array.isArray(key)) return key.map((n) => orDefault(String(n)));
  if (key !== null && typeof key === 'object') {
    return Object.entries(key).map(([name, value]) => {
      if (value !== '') return `${name}${k.separator}${value}`;
      if (k.default_value !== undefined) return `${name}${k.separator}${k.default_value}`;
      return k.trailing_separator === false ? name : `${name}${k.separator}`;
    });
  }
  throw new InventoryError(`Invalid group name format, expected a string or a list of them or dictionary, got: ${typeof key}`);
};

// the plugin's group names are always made safe (to_safe_group_name with force): a leading digit and every character
// that is not a word character become `_`
const safeGroupName = (name: string): string => name.replace(/^\p{Nd}|[^\p{L}\p{N}_]/gu, '_');

// what a compose expression gives, as Ansible's non-native templating makes it: text, except what reads back as a
// list, dict or bool (ansible_eval_concat)
const composed = (value: unknown): unknown =>
  typeof value === 'boolean' || Array.isArray(value) || (value !== null && typeof value === 'object') ? value : outputOf(value);

const addKeyedGroups = (inv: Inventory, host: string, keyed: KeyedGroup, strict: boolean, leadingSeparator: boolean): void => {
  if (keyed.default_value !== undefined && keyed.trailing_separator !== undefined) {
    throw new InventoryError('parameters are mutually exclusive for keyed groups: default_value|trailing_separator');
  }
  let key: unknown;
  try {
    key = evaluate(keyed.key, hostVars(inv, host));
  } catch (e) {
    if (strict) throw new InventoryError(`Could not generate group for host ${host} from ${keyed.key} entry: ${(e as Error).message}`);
    return;
  }
  const empty =
    key === '' ||
    key === null ||
    key === undefined ||
    (Array.isArray(key) && !key.length) ||
    (typeof key === 'object' && key !== null && !Object.keys(key).length);
  if (empty && !(key === '' && keyed.default_value !== undefined)) {
    if (strict) throw new InventoryError(`No key or key resulted empty for ${keyed.key} in host ${host}, invalid entry`);
    return;
  }
  const sep = keyed.prefix === '' && !leadingSeparator ? '' : keyed.separator;
  for (const bare of keyNames(key, keyed)) {
    const group = addGroup(inv, safeGroupName(`${keyed.prefix}${sep}${bare}`)).name;
    const h = inv.hosts.get(host);
    if (h) addHostToGroup(inv, h, group);
    if (keyed.parent_group) {
      const parent = addGroup(inv, safeGroupName(keyed.parent_group)).name;
      addChild(inv, parent, group);
    }
  }
};

const construct = (inv: Inventory, config: Constructed): void => {
  for (const host of [...inv.hosts.keys()]) {
    for (const [name, expr] of Object.entries(config.compose)) {
      try {
        const value = composed(evaluate(expr, hostVars(inv, host)));
        const h = inv.hosts.get(host);
        if (h) setHostVar(h, name, value);
      } catch (e) {
        if (config.strict) throw new InventoryError(`Could not set ${name} for host ${host}: ${(e as Error).message}`);
      }
    }
    for (const [group, test] of Object.entries(config.groups)) {
      let member: boolean;
      try {
        member = condition(test, hostVars(inv, host));
      } catch (e) {
        if (config.strict) throw new InventoryError(`Could not add host ${host} to group ${group}: ${(e as Error).message}`);
        continue;
      }
      const h = inv.hosts.get(host);
      if (member && h) addHostToGroup(inv, h, addGroup(inv, safeGroupName(group)).name);
    }
    for (const keyed of config.keyed_groups) addKeyedGroups(inv, host, keyed, config.strict, config.leading_separator);
  }
};

/** A `plugin: constructed` file: applied to the hosts already in `inv`. */
export const parseConstructed = (inv: Inventory, src: YamlSource): void => {
  const parsed = constructedSchema.safeParse(src.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InventoryError(`constructed: ${issue.message}`, src.locate(issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))));
  }
  try {
    construct(inv, parsed.data);
  } catch (e) {
    if (e instanceof InventoryError && !e.at) throw new InventoryError(e.reason, { file: src.file });
    throw e;
  }
};
