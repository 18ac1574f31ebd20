import { InventoryError, type InventoryLocation } from './errors.js';

export type Vars = Record<string, unknown>;

export interface InventoryGroup {
  readonly name: string;
  vars: Vars;
  /** child group names, in the order they were declared */
  children: string[];
  parents: string[];
  /** hosts declared directly in this group, in declaration order */
  hosts: string[];
  /** `ansible_group_priority`: orders groups of equal depth when their vars are merged */
  priority: number;
}

export interface InventoryHost {
  readonly name: string;
  vars: Vars;
  /** groups the host was declared in (not their ancestors) */
  groups: string[];
  /** the inventory file in which the host was first seen (Ansible's inventory_file) */
  source: string | null;
}

/** The variables found in one directory's group_vars/ and host_vars/, already merged per name. */
export interface VarsFiles {
  readonly dir: string;
  readonly groups: ReadonlyMap<string, Vars>;
  readonly hosts: ReadonlyMap<string, Vars>;
}

export interface Inventory {
  readonly sources: readonly string[];
  readonly groups: Map<string, InventoryGroup>;
  readonly hosts: Map<string, InventoryHost>;
  /** group_vars/ and host_vars/ beside each inventory source, in source order */
  inventoryVarsFiles: VarsFiles[];
  /** group_vars/ and host_vars/ beside the playbook */
  playbookVarsFiles: VarsFiles[];
  /** things Ansible warns about (and so do we), e.g. a name used for both a host and a group */
  readonly warnings: string[];
}

export const ALL = 'all';
export const UNGROUPED = 'ungrouped';

export const createInventory = (sources: readonly string[]): Inventory => {
  const inv: Inventory = { sources, groups: new Map(), hosts: new Map(), inventoryVarsFiles: [], playbookVarsFiles: [], warnings: [] };
  addGroup(inv, ALL);
  addGroup(inv, UNGROUPED);
  addChild(inv, ALL, UNGROUPED);
  return inv;
};

// Bumped by every change to the group tree, memberships or group variables: what is derived from them
// (each group's hosts, the variables a set of groups gives) is computed once per revision, not once per host.
const revisions = new WeakMap<Inventory, number>();
const changed = (inv: Inventory): void => void revisions.set(inv, (revisions.get(inv) ?? 0) + 1);

/** The inventory's revision: equal revisions, equal group tree, memberships and group variables. */
export const revisionOf = (inv: Inventory): number => revisions.get(inv) ?? 0;

export const addGroup = (inv: Inventory, name: string): InventoryGroup => {
  const existing = inv.groups.get(name);
  if (existing) return existing;
  const group: InventoryGroup = { name, vars: {}, children: [], parents: [], hosts: [], priority: 1 };
  inv.groups.set(name, group);
  changed(inv);
  return group;
};

const mustGroup = (inv: Inventory, name: string, at?: InventoryLocation): InventoryGroup => {
  const group = inv.groups.get(name);
  if (!group) throw new InventoryError(`'${name}' is not a known group`, at);
  return group;
};

export const addHostToGroup = (inv: Inventory, host: InventoryHost, groupName: string): void => {
  const group = mustGroup(inv, groupName);
  // host.groups and group.hosts change together: the host's short list says whether the group's long one has it
  if (host.groups.includes(groupName)) return;
  host.groups.push(groupName);
  group.hosts.push(host.name);
  changed(inv);
};

export const addHost = (inv: Inventory, name: string, group: string | undefined, source: string | null): InventoryHost => {
  let host = inv.hosts.get(name);
  if (!host) {
    host = { name, vars: {}, groups: [], source };
    inv.hosts.set(name, host);
  }
  if (group) addHostToGroup(inv, host, group);
  return host;
};

/** Every group above `name` (parents, their parents, ...). */
export const ancestorsOf = (inv: Inventory, name: string): Set<string> => {
  const seen = new Set<string>();
  const walk = (group: string): void => {
    for (const parent of inv.groups.get(group)?.parents ?? []) {
      if (seen.has(parent)) continue;
      seen.add(parent);
      walk(parent);
    }
  };
  walk(name);
  return seen;
};

export const addChild = (inv: Inventory, parentName: string, childName: string, at?: InventoryLocation): void => {
  const parent = mustGroup(inv, parentName, at);
  const child = mustGroup(inv, childName, at);
  if (parent.children.includes(childName)) return;
  if (childName === ALL) throw new InventoryError(`group 'all' cannot be a child of '${parentName}'`, at);
  if (childName === parentName || ancestorsOf(inv, parentName).has(childName)) {
    throw new InventoryError(`Adding group '${childName}' as child to '${parentName}' creates a recursive dependency loop.`, at);
  }
  parent.children.push(childName);
  child.parents.push(parentName);
  changed(inv);
};

export const setGroupVar = (inv: Inventory, groupName: string, key: string, value: unknown, at?: InventoryLocation): void => {
  const group = mustGroup(inv, groupName, at);
  changed(inv);
  if (key !== 'ansible_group_priority') {
    group.vars[key] = value;
    return;
  }
  // Ansible turns this variable into the group's sort priority instead of storing it
  const priority = Number(value);
  if (!Number.isInteger(priority)) throw new InventoryError(`ansible_group_priority must be an integer, got ${JSON.stringify(value)}`, at);
  group.priority = priority;
};

export const setHostVar = (host: InventoryHost, key: string, value: unknown): void => {
  host.vars[key] = value;
};

/**
 * Ansible's reconcile_inventory: parentless groups become children of `all`, hosts in no group
 * other than `all` go to `ungrouped`, and hosts that found a real group leave `ungrouped`.
 */
export const reconcile = (inv: Inventory): void => {
  for (const group of inv.groups.values()) {
    if (group.name !== ALL && group.parents.length === 0) addChild(inv, ALL, group.name);
  }
  const leaving = new Set<string>();
  for (const host of inv.hosts.values()) {
    const real = host.groups.some((g) => g !== ALL && g !== UNGROUPED);
    if (real && host.groups.includes(UNGROUPED)) {
      leaving.add(host.name);
      host.groups = host.groups.filter((g) => g !== UNGROUPED);
    }
    if (!real && !host.groups.includes(UNGROUPED)) addHostToGroup(inv, host, UNGROUPED);
  }
  // one pass over ungrouped for all the hosts that leave it, not one per host
  if (leaving.size) {
    const ungrouped = mustGroup(inv, UNGROUPED);
    ungrouped.hosts = ungrouped.hosts.filter((h) => !leaving.has(h));
    changed(inv);
  }
  for (const name of inv.hosts.keys()) {
    if (inv.groups.has(name)) inv.warnings.push(`Found both group and host with same name: ${name}`);
  }
};
