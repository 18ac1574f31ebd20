import { ancestorsOf, type Inventory, type InventoryGroup } from './model.js';

/** Ansible's group depth: the longest path from `all` (which is 0). */
export const groupDepth = (inv: Inventory, name: string, memo = new Map<string, number>()): number => {
  const known = memo.get(name);
  if (known !== undefined) return known;
  const parents = inv.groups.get(name)?.parents ?? [];
  const depth = parents.length === 0 ? 0 : Math.max(...parents.map((p) => groupDepth(inv, p, memo) + 1));
  memo.set(name, depth);
  return depth;
};

/** The groups a host belongs to, directly or through a child group; `all` included. */
export const hostGroupNames = (inv: Inventory, hostName: string): string[] => {
  const host = inv.hosts.get(hostName);
  if (!host) return [];
  const names = new Set<string>();
  for (const group of host.groups) {
    names.add(group);
    for (const ancestor of ancestorsOf(inv, group)) names.add(ancestor);
  }
  return [...names];
};

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Ansible's sort_groups: by depth, then ansible_group_priority, then name — the order group vars are merged in. */
export const sortGroups = (inv: Inventory, names: readonly string[]): InventoryGroup[] => {
  const memo = new Map<string, number>();
  return names
    .map((n) => inv.groups.get(n))
    .filter((g): g is InventoryGroup => g !== undefined)
    .map((g) => ({ g, depth: groupDepth(inv, g.name, memo) }))
    .sort((a, b) => a.depth - b.depth || a.g.priority - b.g.priority || byName(a.g.name, b.g.name))
    .map(({ g }) => g);
};

/** The group and everything below it, level by level, each level in declaration order. */
const descendantsInOrder = (inv: Inventory, name: string): string[] => {
  const ordered = [name];
  const seen = new Set(ordered);
  let level = [name];
  while (level.length > 0) {
    const next: string[] = [];
    for (const group of level) {
      for (const child of inv.groups.get(group)?.children ?? []) {
        if (seen.has(child)) continue;
        seen.add(child);
        next.push(child);
      }
    }
    ordered.push(...next);
    level = next;
  }
  return ordered;
};

/** Hosts of a group and of all its descendants, in Ansible's order (the group's own first, then level by level). */
export const groupHosts = (inv: Inventory, name: string): string[] => {
  const hosts = new Set<string>();
  for (const group of descendantsInOrder(inv, name)) {
    for (const host of inv.groups.get(group)?.hosts ?? []) hosts.add(host);
  }
  return [...hosts];
};
