import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { inventoryList, loadInventory, renderInventoryJson } from '../../lib/inventory/index.js';
import { setVaultPasswords } from '../../lib/vault/vault-passwords.js';
import { inventoryCases } from './harness/inventory-cases.js';

const cases = await inventoryCases();

describe('nop inventory --list is what ansible-inventory --list printed (recorded with npm run conformance:record -- --inventories)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    setVaultPasswords(c.vaultPasswordFile ? [(await readFile(c.vaultPasswordFile, 'utf8')).trimEnd()] : []);
    try {
      const inv = await loadInventory([c.source]);
      expect(`${renderInventoryJson(inventoryList(inv))}\n`).toBe(await readFile(c.expected, 'utf8'));
    } finally {
      setVaultPasswords([]);
    }
  });
});
