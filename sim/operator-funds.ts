/**
 * The operator of a simulated server, watching a run: once the keys role has created the cold account, GNK are sent
 * to it (what an operator does before registering: since v0.2.16 the registration's and grant's fees are paid from
 * it). Chain it into a run's emit; `stateDirs` are the Gonka state dirs of the network's servers.
 */
import type { RunEvent } from '../lib/runner/types.js';
import { fundAccount } from './gonka.js';

// 5 GNK spendable: the fees at v0.2.16's gas prices, with room to spare
const FUNDS = { spendable: 5_000_000_000, vesting: 0 };

export const fundsColdAccounts = (stateDirs: string[], funds = FUNDS): ((e: RunEvent) => void) => {
  const funded = new Set<string>();
  return (e) => {
    if (e.type !== 'task_result') return;
    const address = (e.result.ansible_facts as { cold_key_address?: unknown } | undefined)?.cold_key_address;
    if (typeof address !== 'string' || funded.has(address)) return;
    funded.add(address);
    for (const dir of stateDirs) fundAccount(dir, address, funds);
  };
};
