import { DEFAULT_INVENTORY, hostVars, limitHosts, loadInventory, selectHosts } from '../inventory/index.js';
import { connectTransport, type ConnectOptions } from '../transport/connect.js';
import type { Transport } from '../transport/transport.js';

export interface InventoryHostsOptions {
  inventory: string[];
  limit?: string;
  /** host pattern before the limit (default all) */
  pattern?: string;
}

export interface SelectedHost {
  name: string;
  vars: Record<string, unknown>;
}

/** The inventory's hosts matching pattern and limit, with their variables. */
export const selectInventoryHosts = async (opts: InventoryHostsOptions): Promise<SelectedHost[]> => {
  const inv = await loadInventory(opts.inventory.length ? opts.inventory : [DEFAULT_INVENTORY]);
  for (const w of inv.warnings) process.stderr.write(`[WARNING]: ${w}\n`);
  const names = limitHosts(inv, selectHosts(inv, opts.pattern ?? 'all'), opts.limit);
  return names.map((name) => ({ name, vars: hostVars(inv, name) as Record<string, unknown> }));
};

/** Open a host's transport, run `work`, always close it. */
export const withTransport = async <T>(host: SelectedHost, connect: ConnectOptions, work: (t: Transport) => Promise<T>): Promise<T> => {
  const transport = await connectTransport(host.name, host.vars, connect);
  try {
    return await work(transport);
  } finally {
    await transport.close();
  }
};
