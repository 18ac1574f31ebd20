import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  type Inventory,
  inventoryGraph,
  inventoryList,
  inventoryToml,
  inventoryYaml,
  loadInventory,
  renderInventoryJson,
  renderInventoryToml,
  renderInventoryYaml,
} from '../../lib/inventory/index.js';
import { setVaultPasswords } from '../../lib/vault/vault-passwords.js';
import { type InventoryView, inventoryCases } from './harness/inventory-cases.js';

const cases = await inventoryCases();

/** What `nop inventory` prints for each recorded ansible-inventory invocation. */
const VIEWS: Record<InventoryView, (inv: Inventory) => string> = {
  list: (inv) => `${renderInventoryJson(inventoryList(inv))}\n`,
  'list-export': (inv) => `${renderInventoryJson(inventoryList(inv, { export: true }))}\n`,
  yaml: (inv) => renderInventoryYaml(inventoryYaml(inv)),
  'yaml-export': (inv) => renderInventoryYaml(inventoryYaml(inv, { export: true })),
  toml: (inv) => renderInventoryToml(inventoryToml(inv)),
  'toml-export': (inv) => renderInventoryToml(inventoryToml(inv, { export: true })),
  graph: (inv) => `${inventoryGraph(inv)}\n`,
  'graph-vars': (inv) => `${inventoryGraph(inv, undefined, true)}\n`,
};

const runs = cases.flatMap((c) => Object.entries(c.expected).map(([view, file]) => [`${c.name} ${view}`, c, view as InventoryView, file] as const));

describe('nop inventory prints what ansible-inventory printed (recorded with npm run conformance:record -- --inventories)', () => {
  it.each(runs)('%s', async (_name, c, view, file) => {
    setVaultPasswords(c.vaultPasswordFile ? [(await readFile(c.vaultPasswordFile, 'utf8')).trimEnd()] : []);
    try {
      const inv = await loadInventory([c.source]);
      expect(VIEWS[view](inv)).toBe(await readFile(file, 'utf8'));
    } finally {
      setVaultPasswords([]);
    }
  });
});
