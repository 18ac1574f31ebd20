export { InventoryError, MissingInventoryError, NoHostsError, type InventoryLocation } from './errors.js';
export { findHost, groupsMagicVar, hostVars } from './host-vars.js';
export { DEFAULT_INVENTORY, loadInventory, type LoadInventoryOptions } from './load.js';
export { isLocalhostName, LOCALHOST_NAMES } from './localhost.js';
export { ALL, UNGROUPED, type Inventory, type InventoryGroup, type InventoryHost, type Vars, type VarsFiles } from './model.js';
export {
  type InventoryListing,
  type InventoryOutputOptions,
  inventoryGraph,
  inventoryHost,
  inventoryList,
  type ListedGroup,
  renderInventoryJson,
} from './output.js';
export { inventoryToml, renderInventoryToml } from './toml-output.js';
export { inventoryYaml, renderInventoryYaml } from './yaml-output.js';
export { limitHosts, selectHosts, splitHostPattern } from './patterns.js';
