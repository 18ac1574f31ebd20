// Chain-wide state every simulated node and CLI shares: participants, grants, jail releases,
// votes and collateral, kept in <state-dir>/gonka-network.json.
import { readJson, updateJson } from './json-file.mjs';
import { networkFile } from './sim-paths.mjs';

const EMPTY = { participants: {}, grants: [], unjailedAt: {}, votes: [], collateral: {} };

export const readNetwork = (stateDir) => ({ ...EMPTY, ...readJson(networkFile(stateDir), {}) });

export const updateNetwork = (stateDir, change) => updateJson(networkFile(stateDir), {}, (stored) => change({ ...EMPTY, ...stored }));

export function isJailed(scenario, network, address) {
  if (!scenario.jailed || !network.participants[address]) return false;
  return !((network.unjailedAt[address] ?? 0) >= scenario.anchoredAt);
}
