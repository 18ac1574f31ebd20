// Knobs for what `nop status` reads beyond the scenario: peers of the node (/net_info) and the participant's
// inference stats for the current epoch (`inferenced query inference show-participant`), kept in <state-dir>/gonka-status.json.
import path from 'node:path';
import { readJson, writeJson } from './json-file.mjs';

export const DEFAULT_STATUS_KNOBS = Object.freeze({ peers: 8, inferenceCount: 1000, missedRequests: 0, missedBlocks: 0 });

const knobsFile = (stateDir) => path.join(stateDir, 'gonka-status.json');

export const readStatusKnobs = (stateDir) => ({ ...DEFAULT_STATUS_KNOBS, ...readJson(knobsFile(stateDir), {}) });

export function writeStatusKnobs(stateDir, patch) {
  const next = { ...readStatusKnobs(stateDir), ...patch };
  writeJson(knobsFile(stateDir), next);
  return next;
}

// CometBFT /net_info with `peers` made-up but well-formed peers.
export function netInfoResult(peers) {
  return {
    listening: true,
    listeners: ['Listener(@)'],
    n_peers: String(peers),
    peers: Array.from({ length: peers }, (_, i) => ({
      node_info: { id: (i + 1).toString(16).padStart(40, '0'), moniker: `peer-${i + 1}`, network: 'gonka-mainnet' },
      is_outbound: i % 2 === 0,
      remote_ip: `198.51.100.${i + 1}`,
    })),
  };
}

// The participant's current-epoch stats as the chain's Participant record carries them
// (x/inference CurrentEpochStats: every field a uint64, so a string in JSON).
export const currentEpochStats = (knobs) => ({
  inference_count: String(knobs.inferenceCount),
  missed_requests: String(knobs.missedRequests),
  earned_coins: '0',
  rewarded_coins: '0',
  burned_coins: '0',
  validated_inferences: '0',
  invalidated_inferences: '0',
});
