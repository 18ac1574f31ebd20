// The test-facing knobs of the simulated network, kept in <state-dir>/gonka-scenario.json.
// Daemons re-read it on change; every process derives the network height from the same anchor, on the
// simulated clock (clock.mjs).
import { clockNow, clockOrigin } from './clock.mjs';
import { readJson, writeJson } from './json-file.mjs';
import { scenarioFile } from './sim-paths.mjs';

export const DEFAULT_SCENARIO = Object.freeze({
  blocksPerSecond: 2,
  // past the v0.2.16 upgrade (height 6,449,400): epoch 422 of ~15,391 blocks
  networkHeight: 6_500_000,
  anchoredAt: 0,
  syncBlocksPerSecond: 500,
  snapshotLagBlocks: 2000,
  modelLoadSeconds: 2,
  // how long an ML node's /api/v1/models/download takes
  modelDownloadSeconds: 2,
  failedNodes: {},
  epoch: {
    length: 15391,
    shift: 0,
    pocGenerationBlocks: 60,
    windDownBlocks: 3,
    pocValidationDelayBlocks: 2,
    pocValidationEndBlocks: 85,
    confirmationPocSafetyWindow: 500,
  },
  // a Confirmation PoC in every epoch: { startOffset (blocks after the epoch's PoC start), graceBlocks, generationBlocks,
  // validationBlocks }; it never reaches into the safety window before the next PoC
  confirmationPoc: null,
  // the chain's governance parameters over the defaults of chain-params.mjs (models, penalties, coefficients, fees)
  chain: {},
  upgrade: null,
  jailed: false,
  jailSeconds: 0,
  proposals: [],
  registrationRefused: null,
  claimRefused: null,
  // the operator's transfer to a cold account before it registers ({ spendable, vesting } ngonka); null: none
  fundRegisteredAccounts: null,
  pocFailed: false,
  brokenImages: [],
  // the max age the api gives the NATS streams it creates (24 h since v0.2.6; 0 = forever, as older versions did)
  natsStreamMaxAgeSeconds: 24 * 3600,
});

export function readScenario(stateDir) {
  const stored = readJson(scenarioFile(stateDir), {});
  // a scenario written without an anchor starts where the clock started: every reader agrees on the height
  const anchoredAt = stored.anchoredAt ?? clockOrigin(stateDir);
  return {
    ...DEFAULT_SCENARIO,
    ...stored,
    anchoredAt,
    epoch: { ...DEFAULT_SCENARIO.epoch, ...(stored.epoch ?? {}) },
    chain: { ...DEFAULT_SCENARIO.chain, ...(stored.chain ?? {}) },
  };
}

// Re-anchoring keeps the network height continuous when only other knobs change.
export function writeScenario(stateDir, patch) {
  const current = readScenario(stateDir);
  const now = clockNow(stateDir);
  const next = {
    ...current,
    ...patch,
    epoch: { ...current.epoch, ...(patch.epoch ?? {}) },
    chain: { ...current.chain, ...(patch.chain ?? {}) },
    networkHeight: patch.networkHeight ?? networkHeightAt(current, now),
    anchoredAt: now,
  };
  writeJson(scenarioFile(stateDir), next);
  return next;
}

/** The network's height at simulated time `now` (clockNow). */
export function networkHeightAt(scenario, now) {
  const elapsed = Math.max(0, now - scenario.anchoredAt) / 1000;
  return scenario.networkHeight + Math.floor(elapsed * scenario.blocksPerSecond);
}

export const networkHeightNow = (stateDir) => networkHeightAt(readScenario(stateDir), clockNow(stateDir));
