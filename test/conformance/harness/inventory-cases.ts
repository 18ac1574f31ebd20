import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conformanceDir } from './case.js';

/**
 * Inventory cases: test/conformance/inventories/CASE/inventory (a file or a directory of sources) and what
 * `ansible-inventory -i inventory VIEW` printed for it (ansible-inventory-VIEW.txt, byte for byte), recorded by
 * `npm run conformance:record -- --inventories`.
 */
export interface InventoryCase {
  name: string;
  source: string;
  /** the recorded output of each view ansible-inventory printed for this case */
  expected: Partial<Record<InventoryView, string>>;
  /** the case's vault password file (vault-password), when it has one */
  vaultPasswordFile?: string;
}

/** The ansible-inventory invocations recorded for each case, by the name of the file that holds their output. */
export const INVENTORY_VIEWS = {
  list: ['--list'],
  'list-export': ['--list', '--export'],
  yaml: ['--list', '--yaml'],
  'yaml-export': ['--list', '--yaml', '--export'],
  toml: ['--list', '--toml'],
  'toml-export': ['--list', '--toml', '--export'],
  graph: ['--graph'],
  'graph-vars': ['--graph', '--vars'],
} as const;
export type InventoryView = keyof typeof INVENTORY_VIEWS;

const expectedFile = (root: string, name: string, view: string): string => join(root, name, `ansible-inventory-${view}.txt`);

export const inventoryCases = async (): Promise<InventoryCase[]> => {
  const root = join(conformanceDir(), 'inventories');
  return (await readdir(root)).sort().map((name) => ({
    name,
    source: join(root, name, 'inventory'),
    expected: Object.fromEntries(
      Object.keys(INVENTORY_VIEWS)
        .map((view) => [view, expectedFile(root, name, view)])
        .filter(([, file]) => existsSync(file)),
    ),
    vaultPasswordFile: existsSync(join(root, name, 'vault-password')) ? join(root, name, 'vault-password') : undefined,
  }));
};

/**
 * Runs ansible-inventory on each case and view (an empty configuration: neither /etc/ansible nor a user's settings
 * apply). A view ansible-inventory refuses for a case (a value TOML cannot say) is not recorded.
 */
export const recordInventoryCases = async (): Promise<void> => {
  const root = join(conformanceDir(), 'inventories');
  // an empty ansible.cfg (ansible-core 2.14 refuses /dev/null as a configuration file)
  const configDir = await mkdtemp(join(tmpdir(), 'nop-ansible-cfg-'));
  const config = join(configDir, 'ansible.cfg');
  await writeFile(config, '');
  try {
    for (const c of await inventoryCases()) await recordCase(root, c, config);
  } finally {
    await rm(configDir, { recursive: true, force: true });
  }
};

/** The views a case's `not-compared` file names (one a line, `#` comments): nop prints them differently on purpose. */
const notCompared = (root: string, name: string): Set<string> => {
  const file = join(root, name, 'not-compared');
  if (!existsSync(file)) return new Set();
  return new Set(
    readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#')),
  );
};

const recordCase = async (root: string, c: InventoryCase, config: string): Promise<void> => {
  const skipped = notCompared(root, c.name);
  const vault = c.vaultPasswordFile ? ['--vault-password-file', c.vaultPasswordFile] : [];
  for (const [view, args] of Object.entries(INVENTORY_VIEWS)) {
    if (skipped.has(view)) continue;
    let out: string;
    try {
      out = execFileSync('ansible-inventory', ['-i', c.source, ...args, ...vault], {
        encoding: 'utf8',
        env: { ...process.env, ANSIBLE_CONFIG: config, ANSIBLE_INVENTORY_UNPARSED_WARNING: '0' },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch {
      process.stdout.write(`inventory ${c.name} ${view}: ansible-inventory refused it, not recorded\n`);
      continue;
    }
    await writeFile(expectedFile(root, c.name, view), out);
    process.stdout.write(`inventory ${c.name} ${view}: recorded\n`);
  }
};
