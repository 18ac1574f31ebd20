import { DEFAULT_INVENTORY, inventoryGraph, inventoryHost, inventoryList, loadInventory, renderInventoryJson, selectHosts } from '../inventory/index.js';
import { OptionError } from './extra-vars.js';
import { loadVaultPasswords, type VaultOptions } from './vault-options.js';

export interface InventoryCommandOptions extends VaultOptions {
  inventory: string[];
  list?: boolean;
  host?: string;
  graph?: boolean;
  playbookDir?: string;
}

/** `nop inventory`: what `ansible-inventory` prints for the same inventory. */
export const inventoryCommand = async (opts: InventoryCommandOptions): Promise<number> => {
  const modes = [opts.list, opts.host !== undefined, opts.graph].filter(Boolean).length;
  if (modes !== 1) throw new OptionError('choose exactly one of --list, --host NAME, --graph');
  // vault-encrypted vars files and `!vault` values in the inventory are read with the same passwords `nop run` takes
  await loadVaultPasswords(opts);
  const inv = await loadInventory(opts.inventory.length ? opts.inventory : [DEFAULT_INVENTORY], { playbookDir: opts.playbookDir });
  for (const w of inv.warnings) process.stderr.write(`[WARNING]: ${w}\n`);
  if (opts.graph) process.stdout.write(`${inventoryGraph(inv)}\n`);
  else if (opts.host !== undefined) {
    // a bad --host is a bad option (exit 5), as in ansible-inventory
    if (selectHosts(inv, opts.host).length !== 1) throw new OptionError('You must pass a single valid host to --host parameter');
    process.stdout.write(`${renderInventoryJson(inventoryHost(inv, opts.host))}\n`);
  } else process.stdout.write(`${renderInventoryJson(inventoryList(inv))}\n`);
  return 0;
};
