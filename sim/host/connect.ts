import { connectTransport } from '../../lib/transport/connect.js';
import type { Transport } from '../../lib/transport/transport.js';
import type { SimHost } from './create.js';

/**
 * runPlaybook's `connect` for an inventory whose hosts are (some of them) simulated: a simulated host is reached
 * through its transport, unless the inventory says how to reach it (ansible_connection or ansible_host, e.g. an
 * address where nothing answers); any other host as nop reaches it.
 */
export const simConnect =
  (hosts: Record<string, SimHost>) =>
  (name: string, vars: Record<string, unknown>): Promise<Transport> =>
    hosts[name] && vars.ansible_connection === undefined && vars.ansible_host === undefined
      ? Promise.resolve(hosts[name].transport())
      : connectTransport(name, vars);
