import { floatRepr, PyFloat } from '../template/py-float.js';
import { pyStr } from '../template/python-repr.js';
import { isUnsafe, withoutUnsafe } from '../template/unsafe.js';
import { vaultTextOf } from '../vault/vault-passwords.js';
import { InventoryError } from './errors.js';
import { findHost, hostVars } from './host-vars.js';
import { ALL, type Inventory, type Vars, type VarsFiles } from './model.js';
import { selectHosts } from './patterns.js';

// What ansible-inventory prints (lib/ansible/cli/inventory.py, ansible-core 2.12+): groups and
// hosts in declaration order, keys sorted by the JSON dump, empty keys and empty groups left out.

/** Variables ansible-inventory never prints (C.INTERNAL_STATIC_VARS). */
const INTERNAL_VARS = new Set([
  'ansible_async_path',
  'ansible_check_mode',
  'ansible_collection_name',
  'ansible_config_file',
  'ansible_dependent_role_names',
  'ansible_diff_mode',
  'ansible_facts',
  'ansible_forks',
  'ansible_index_var',
  'ansible_inventory_sources',
  'ansible_limit',
  'ansible_local',
  'ansible_loop',
  'ansible_loop_var',
  'ansible_play_batch',
  'ansible_play_hosts',
  'ansible_play_hosts_all',
  'ansible_play_name',
  'ansible_play_role_names',
  'ansible_playbook_python',
  'ansible_role_name',
  'ansible_role_names',
  'ansible_run_tags',
  'ansible_search_path',
  'ansible_skip_tags',
  'ansible_verbosity',
  'ansible_version',
  'environment',
  'group_names',
  'groups',
  'hostvars',
  'item',
  'inventory_dir',
  'inventory_file',
  'inventory_hostname',
  'inventory_hostname_short',
  'omit',
  'play_hosts',
  'playbook_dir',
  'role_name',
  'role_names',
  'role_path',
  'role_uuid',
  'vars',
]);

const withoutInternal = (vars: Vars): Vars => Object.fromEntries(Object.entries(vars).filter(([k]) => !INTERNAL_VARS.has(k)));

/** How ansible-inventory shows variables: flattened onto hosts, or (`--export`) each where it was defined. */
export interface InventoryOutputOptions {
  /** `--export`: a host shows only its own variables, a group keeps its variables */
  export?: boolean;
}

const fileVars = (layers: readonly VarsFiles[], pick: (layer: VarsFiles) => Vars | undefined): Vars => Object.assign({}, ...layers.map(pick));

/** The variables ansible-inventory prints for a host: all of them, or with `--export` those set on the host itself (inventory, host_vars beside it and beside --playbook-dir). */
export const shownHostVars = (inv: Inventory, name: string, opts: InventoryOutputOptions = {}): Vars => {
  if (!opts.export) return withoutInternal(hostVars(inv, name));
  const host = findHost(inv, name);
  if (!host) throw new InventoryError(`host '${name}' is not in the inventory`);
  const files = [...inv.inventoryVarsFiles, ...inv.playbookVarsFiles];
  return withoutInternal({ ...host.vars, ...fileVars(files, (l) => l.hosts.get(host.name)) });
};

/** A group's own variables (`--export`, `--graph --vars`): the inventory's, its group_vars file's, a priority that is not the default. */
export const shownGroupVars = (inv: Inventory, name: string): Vars => {
  const group = inv.groups.get(name);
  if (!group) return {};
  const vars: Vars = { ...group.vars, ...fileVars([...inv.inventoryVarsFiles, ...inv.playbookVarsFiles], (l) => l.groups.get(name)) };
  if (group.priority !== 1) vars.ansible_group_priority = group.priority;
  return withoutInternal(vars);
};

export interface ListedGroup {
  hosts?: string[];
  children?: string[];
  vars?: Vars;
}

export type InventoryListing = { _meta: { hostvars: Record<string, Vars> } } & Record<string, ListedGroup | { hostvars: Record<string, Vars> }>;

/** `ansible-inventory --list`: every non-empty group, and `_meta.hostvars` for hosts that have variables. */
export const inventoryList = (inv: Inventory, opts: InventoryOutputOptions = {}): InventoryListing => {
  const hosts = selectHosts(inv, ALL);
  const available = new Set(hosts);
  const groups: Record<string, ListedGroup> = {};
  const seen = new Set<string>();
  const format = (name: string): void => {
    const group = inv.groups.get(name);
    if (!group) return;
    const entry: ListedGroup = {};
    const members = name === ALL ? [] : group.hosts.filter((h) => available.has(h));
    if (members.length) entry.hosts = members;
    if (group.children.length) entry.children = [...group.children];
    for (const child of group.children) {
      if (seen.has(child)) continue;
      seen.add(child);
      format(child);
    }
    const vars = opts.export ? shownGroupVars(inv, name) : {};
    if (Object.keys(vars).length) entry.vars = vars;
    if (entry.hosts || entry.children || entry.vars) groups[name] = entry;
  };
  format(ALL);
  const hostvars: Record<string, Vars> = {};
  for (const host of hosts) {
    const vars = shownHostVars(inv, host, opts);
    if (Object.keys(vars).length) hostvars[host] = vars;
  }
  return { ...groups, _meta: { hostvars } };
};

/** `ansible-inventory --host <pattern>`: the variables of the single host the pattern names. */
export const inventoryHost = (inv: Inventory, pattern: string, opts: InventoryOutputOptions = {}): Vars => {
  const hosts = selectHosts(inv, pattern);
  if (hosts.length !== 1) throw new InventoryError('You must pass a single valid host to --host parameter');
  return shownHostVars(inv, hosts[0], opts);
};

const graphLine = (text: string, depth: number): string => (depth ? `${'  |'.repeat(depth)}--${text}` : text);

// `--vars`: each variable as Python's str() prints it, sorted by name
const graphVars = (vars: Vars, depth: number): string[] =>
  Object.keys(vars)
    .sort()
    .map((k) => graphLine(`{${k} = ${pyStr(withoutUnsafe(vars[k]))}}`, depth));

const graphGroup = (inv: Inventory, name: string, depth: number, showVars: boolean): string[] => {
  const group = inv.groups.get(name);
  if (!group) return [];
  const hostLines = (h: string): string[] => [graphLine(h, depth + 1), ...(showVars ? graphVars(shownHostVars(inv, h), depth + 2) : [])];
  return [
    graphLine(`@${name}:`, depth),
    ...group.children.flatMap((child) => graphGroup(inv, child, depth + 1, showVars)),
    ...(name === ALL ? [] : group.hosts.flatMap(hostLines)),
    ...(showVars ? graphVars(shownGroupVars(inv, name), depth + 1) : []),
  ];
};

/** `ansible-inventory --graph [group] [--vars]`: the group tree, hosts under each group they are declared in. */
export const inventoryGraph = (inv: Inventory, group: string = ALL, showVars = false): string => {
  if (!inv.groups.has(group)) throw new InventoryError('Pattern must be valid group name when using --graph');
  return graphGroup(inv, group, 0, showVars).join('\n');
};

const sortKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object' || value instanceof Date || value instanceof PyFloat || isUnsafe(value)) return value;
  const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(keys.map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
};

/** JSON as ansible-inventory dumps it: keys sorted at every level, 4-space indent. */
export const renderInventoryJson = (value: unknown): string => {
  // `!unsafe` text as Ansible's JSON encoder marks it ({"__ansible_unsafe": ...}); what JSON cannot say and Python's json module prints anyway: exact big integers, Infinity and NaN (as ansible-inventory does), a float's repr (1.0)
  const token = `@@nop-number-${process.hrtime.bigint()}@@`;
  // a PyFloat reaches the replacer already through its toJSON: it is read from its holder
  const replacer = function (this: Record<string, unknown>, key: string, v: unknown) {
    const raw = this[key];
    const float = raw instanceof PyFloat ? raw.value : typeof v === 'number' && Number.isFinite(v) && !Number.isInteger(v) ? v : undefined;
    return float === undefined ? jsonValue(v) : `${token}${floatRepr(float)}`;
  };
  const jsonValue = (v: unknown) =>
    typeof v === 'string' && vaultTextOf(v) !== undefined
      ? { __ansible_vault: vaultTextOf(v) }
      : isUnsafe(v)
        ? { __ansible_unsafe: v.toString() }
        : typeof v === 'bigint'
          ? `${token}${v}`
          : typeof v === 'number' && !Number.isFinite(v)
            ? `${token}${Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity'}`
            : v;
  return JSON.stringify(sortKeys(value), replacer, 4).replaceAll(new RegExp(`"${token}([^"]*)"`, 'g'), '$1');
};
