import { dirname } from 'node:path';
import { isIpAddress } from './address.js';
import { InventoryError } from './errors.js';
import { groupHosts, hostGroupNames, sortGroups } from './group-tree.js';
import { implicitLocalhost, isLocalhostName } from './localhost.js';
import { ALL, type Inventory, type InventoryHost, type Vars, type VarsFiles } from './model.js';

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

/** `groups`: every group name → its hosts, as templates see it. */
export const groupsMagicVar = (inv: Inventory): Record<string, string[]> => Object.fromEntries([...inv.groups.keys()].map((g) => [g, groupHosts(inv, g)]));

const magicVars = (inv: Inventory, host: InventoryHost): Vars => ({
  inventory_hostname: host.name,
  inventory_hostname_short: isIpAddress(host.name) ? host.name : host.name.split('.')[0],
  group_names: hostGroupNames(inv, host.name)
    .filter((g) => g !== ALL)
    .sort(),
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
  const groups = sortGroups(
    inv,
    hostGroupNames(inv, host.name).filter((g) => g !== ALL),
  ).map((g) => g.name);
  const magic = magicVars(inv, host);
  return {
    ...inv.groups.get(ALL)?.vars,
    ...Object.assign({}, ...groups.map((g) => inv.groups.get(g)?.vars)),
    ...groupFileVars(inv.inventoryVarsFiles, [ALL]),
    ...groupFileVars(inv.playbookVarsFiles, [ALL]),
    ...groupFileVars(inv.inventoryVarsFiles, groups),
    ...groupFileVars(inv.playbookVarsFiles, groups),
    ...host.vars,
    ...magic,
    ...fromFiles(inv.inventoryVarsFiles, (layer) => layer.hosts.get(host.name)),
    ...fromFiles(inv.playbookVarsFiles, (layer) => layer.hosts.get(host.name)),
    groups: groupsMagicVar(inv),
  };
};
