export { InventoryError, MissingInventoryError, NoHostsError, type InventoryLocation } from './errors.js';
export { findHost, groupsMagicVar, hostVars } from './host-vars.js';
export { DEFAULT_INVENTORY, loadInventory, type LoadInventoryOptions } from './load.js';
export { isLocalhostName, LOCALHOST_NAMES } from './localhost.js';
export { ALL, UNGROUPED, type Inventory, type InventoryGroup, type InventoryHost, type Vars, type VarsFiles } from './model.js';
export { inventoryGraph, inventoryHost, inventoryList, renderInventoryJson, type InventoryListing, type ListedGroup } from './output.js';
export { limitHosts, selectHosts, splitHostPattern } from './patterns.js';
