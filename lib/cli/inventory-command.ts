import {
  DEFAULT_INVENTORY,
  type Inventory,
  inventoryGraph,
  inventoryHost,
  inventoryList,
  inventoryToml,
  inventoryYaml,
  loadInventory,
  renderInventoryJson,
  renderInventoryToml,
  renderInventoryYaml,
  selectHosts,
} from '../inventory/index.js';
import { OptionError } from './extra-vars.js';
import { loadVaultPasswords, type VaultOptions } from './vault-options.js';

export interface InventoryCommandOptions extends VaultOptions {
  inventory: string[];
  list?: boolean;
  host?: string;
  graph?: boolean;
  /** --yaml / --toml: the output format of --list and --host (JSON otherwise) */
  yaml?: boolean;
  toml?: boolean;
  /** --export: group variables stay on their groups instead of being flattened onto hosts */
  export?: boolean;
  /** --vars: --graph shows each host's and group's variables */
  vars?: boolean;
  playbookDir?: string;
}

const validate = (opts: InventoryCommandOptions): void => {
  const modes = [opts.list, opts.host !== undefined, opts.graph].filter(Boolean).length;
  if (modes !== 1) throw new OptionError('choose exactly one of --list, --host NAME, --graph');
  if (opts.yaml && opts.toml) throw new OptionError('choose one of --yaml, --toml');
  if (opts.toml && opts.host !== undefined) throw new OptionError('--toml works only with --list');
  if (opts.vars && !opts.graph) throw new OptionError('--vars works only with --graph');
};

const render = (value: unknown, opts: InventoryCommandOptions): string => (opts.yaml ? renderInventoryYaml(value) : `${renderInventoryJson(value)}\n`);

const listing = (inv: Inventory, opts: InventoryCommandOptions): string => {
  const shown = { export: opts.export };
  if (opts.toml) return renderInventoryToml(inventoryToml(inv, shown));
  return render(opts.yaml ? inventoryYaml(inv, shown) : inventoryList(inv, shown), opts);
};

/** `nop inventory`: what `ansible-inventory` prints for the same inventory. */
export const inventoryCommand = async (opts: InventoryCommandOptions): Promise<number> => {
  validate(opts);
  // vault-encrypted vars files and `!vault` values in the inventory are read with the same passwords `nop run` takes
  await loadVaultPasswords(opts);
  const inv = await loadInventory(opts.inventory.length ? opts.inventory : [DEFAULT_INVENTORY], { playbookDir: opts.playbookDir });
  for (const w of inv.warnings) process.stderr.write(`[WARNING]: ${w}\n`);
  if (opts.graph) process.stdout.write(`${inventoryGraph(inv, undefined, opts.vars)}\n`);
  else if (opts.host !== undefined) {
    // a bad --host is a bad option (exit 5), as in ansible-inventory
    if (selectHosts(inv, opts.host).length !== 1) throw new OptionError('You must pass a single valid host to --host parameter');
    process.stdout.write(render(inventoryHost(inv, opts.host, { export: opts.export }), opts));
  } else process.stdout.write(listing(inv, opts));
  return 0;
};
