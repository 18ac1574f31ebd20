import { dirname } from 'node:path';
import { isIpAddress } from './address.js';
import { InventoryError } from './errors.js';
import { groupHosts, hostGroupNames, sortGroups } from './group-tree.js';
import { implicitLocalhost, isLocalhostName } from './localhost.js';
import { ALL, revisionOf, type Inventory, type InventoryHost, type Vars, type VarsFiles } from './model.js';

/** The host, or Ansible's implicit localhost when a localhost name is not in the inventory. */
export const findHost = (inv: Inventory, name: string): InventoryHost | undefined => {
  const host = inv.hosts.get(name);
  if (host || !isLocalhostName(name)) return host;
  // like Ansible, any localhost name means the first localhost-like host the inventory defines
  const defined = [...inv.hosts.values()].find((h) => isLocalhostName(h.name));
  if (defined) return defined;
  // Ansible copies the `all` group's inventory vars into the implicit host's own vars
  const implicit = implicitLocalhost(name);
  return { ...implicit, vars: { ...inv.groups.get(ALL)?.vars, ...implicit.vars } };
};

const fromFiles = (layers: readonly VarsFiles[], pick: (layer: VarsFiles) => Vars | undefined): Vars =>
  layers.reduce<Vars>((acc, layer) => ({ ...acc, ...pick(layer) }), {});

const groupFileVars = (layers: readonly VarsFiles[], groups: readonly string[]): Vars =>
  // source by source, and within a source group by group, as Ansible's vars plugins merge them
  fromFiles(layers, (layer) => groups.reduce<Vars>((acc, g) => ({ ...acc, ...layer.groups.get(g) }), {}));

const groupsMemo = new WeakMap<Inventory, { revision: number; groups: Record<string, string[]> }>();

/** `groups`: every group name → its hosts, as templates see it. Computed once per inventory shape and shared: read it, never change it. */
export const groupsMagicVar = (inv: Inventory): Record<string, string[]> => {
  const memo = groupsMemo.get(inv);
  if (memo && memo.revision === revisionOf(inv)) return memo.groups;
  const groups = Object.fromEntries([...inv.groups.keys()].map((g) => [g, groupHosts(inv, g)]));
  groupsMemo.set(inv, { revision: revisionOf(inv), groups });
  return groups;
};

/** What a host's groups give it: its `group_names` and the group-level variables, merged in precedence order. */
interface GroupLayer {
  names: string[];
  vars: Vars;
}

const computeGroupLayer = (inv: Inventory, hostName: string): GroupLayer => {
  const groups = sortGroups(
    inv,
    hostGroupNames(inv, hostName).filter((g) => g !== ALL),
  ).map((g) => g.name);
  return {
    names: [...groups].sort(),
    vars: {
      ...inv.groups.get(ALL)?.vars,
      ...Object.assign({}, ...groups.map((g) => inv.groups.get(g)?.vars)),
      ...groupFileVars(inv.inventoryVarsFiles, [ALL]),
      ...groupFileVars(inv.playbookVarsFiles, [ALL]),
      ...groupFileVars(inv.inventoryVarsFiles, groups),
      ...groupFileVars(inv.playbookVarsFiles, groups),
    },
  };
};

// Hosts declared in the same groups get the same layer: merged once per group set, not once per host
// (10,000 hosts in 200 racks are 200 merges).
const layerMemo = new WeakMap<Inventory, { stamp: string; layers: Map<string, GroupLayer> }>();

const groupLayer = (inv: Inventory, hostName: string): GroupLayer => {
  const stamp = `${revisionOf(inv)}:${inv.inventoryVarsFiles.length}:${inv.playbookVarsFiles.length}`;
  let memo = layerMemo.get(inv);
  if (memo?.stamp !== stamp) {
    memo = { stamp, layers: new Map() };
    layerMemo.set(inv, memo);
  }
  const key = [...(inv.hosts.get(hostName)?.groups ?? [])].sort().join('\0');
  let layer = memo.layers.get(key);
  if (!layer) {
    layer = computeGroupLayer(inv, hostName);
    memo.layers.set(key, layer);
  }
  return layer;
};

const magicVars = (host: InventoryHost, groupNames: string[]): Vars => ({
  inventory_hostname: host.name,
  inventory_hostname_short: isIpAddress(host.name) ? host.name : host.name.split('.')[0],
  group_names: [...groupNames],
  inventory_file: host.source,
  inventory_dir: host.source === null ? null : dirname(host.source),
});

/**
 * A host's inventory-level variables in Ansible's precedence order, lowest first:
 * `all` group vars < other group vars (by depth, ansible_group_priority, name) < group_vars/all
 * files (inventory, then playbook) < group_vars/<group> files (same group order) < inventory host
 * vars < the host's magic vars (inventory_hostname, inventory_hostname_short, group_names — sorted,
 * with `ungrouped` but never `all` —, inventory_file, inventory_dir) < host_vars files (inventory,
 * then playbook) < `groups` (every group → its hosts).
 */
export const hostVars = (inv: Inventory, name: string): Vars => {
  const host = findHost(inv, name);
  if (!host) throw new InventoryError(`host '${name}' is not in the inventory`);
  const layer = groupLayer(inv, host.name);
  return {
    ...layer.vars,
    ...host.vars,
    ...magicVars(host, layer.names),
    ...fromFiles(inv.inventoryVarsFiles, (l) => l.hosts.get(host.name)),
    ...fromFiles(inv.playbookVarsFiles, (l) => l.hosts.get(host.name)),
    groups: groupsMagicVar(inv),
  };
};
