import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { conformanceDir } from './case.js';

/**
 * Inventory cases: test/conformance/inventories/CASE/inventory (a file or a directory of sources) and what
 * `ansible-inventory -i inventory --list` printed for it (ansible-inventory-list.txt, byte for byte), recorded by
 * `npm run conformance:record -- --inventories`.
 */
export interface InventoryCase {
  name: string;
  source: string;
  expected: string;
  /** the case's vault password file (vault-password), when it has one */
  vaultPasswordFile?: string;
}

export const inventoryCases = async (): Promise<InventoryCase[]> => {
  const root = join(conformanceDir(), 'inventories');
  return (await readdir(root)).sort().map((name) => ({
    name,
    source: join(root, name, 'inventory'),
    expected: join(root, name, 'ansible-inventory-list.txt'),
    vaultPasswordFile: existsSync(join(root, name, 'vault-password')) ? join(root, name, 'vault-password') : undefined,
  }));
};

/** Runs ansible-inventory on each case (an empty configuration: neither /etc/ansible nor a user's settings apply). */
export const recordInventoryCases = async (): Promise<void> => {
  for (const c of await inventoryCases()) {
    const vault = c.vaultPasswordFile ? ['--vault-password-file', c.vaultPasswordFile] : [];
    const out = execFileSync('ansible-inventory', ['-i', c.source, '--list', ...vault], {
      encoding: 'utf8',
      env: { ...process.env, ANSIBLE_CONFIG: '/dev/null', ANSIBLE_INVENTORY_UNPARSED_WARNING: '0' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    await writeFile(c.expected, out);
    process.stdout.write(`inventory ${c.name}: recorded\n`);
  }
};
