export interface EpochScenario {
  length: number;
  shift: number;
  pocGenerationBlocks: number;
  windDownBlocks: number;
  pocValidationDelayBlocks: number;
  pocValidationEndBlocks: number;
  /** blocks before each PoC start without Confirmation PoC */
  confirmationPocSafetyWindow: number;
}

export interface ConfirmationPocScenario {
  /** blocks after the epoch's PoC start at which the event triggers */
  startOffset: number;
  graceBlocks: number;
  generationBlocks: number;
  validationBlocks: number;
}

export interface UpgradeScenario {
  name: string;
  height: number;
  info: string;
}

export interface PocModelParams {
  model_id: string;
  seq_len: number;
  penalty_start_epoch: number;
  /** the starting coefficient and its governance bounds */
  coefficient: number;
  coeff_min: number;
  coeff_max: number;
  relative_difficulty: number;
}

export interface ChainScenario {
  pocModels: PocModelParams[];
  governanceModels: string[];
  delegation: {
    refusal_penalty: number;
    no_participation_penalty: number;
    delegation_share: number;
    w_threshold: number;
    v_min: number;
    deploy_window: number;
    initial_model_id: string;
  };
  /** fee groups charging per gas (an empty list: no fees, the chain before v0.2.16) */
  fees: { enabledGroups: string[]; prices: Record<string, number>; maxFeeNgonka: number };
  /** epoch index (as a string) → { model_id: coefficient } from that epoch on */
  coefficients: Record<string, Record<string, number>>;
  /** models above their target share: their effective coefficient is the minimum */
  oversupplied: string[];
  /** other hosts of the network, delegation targets */
  hosts: { address: string; models: string[]; weight: number; commitsPoc?: boolean }[];
  devshardVersions: { name: string; binary: string; sha256: string }[];
}

export interface GovProposalScenario {
  id: number;
  title?: string;
  summary?: string;
  votingEndHeight: number;
  expedited?: boolean;
  tally?: Partial<Record<'yes' | 'no' | 'abstain' | 'no_with_veto', number>>;
  /** a software-upgrade proposal: its MsgSoftwareUpgrade's plan (info: the plan's JSON string) */
  plan?: { name: string; height: number; info: string };
}

export interface Scenario {
  blocksPerSecond: number;
  networkHeight: number;
  anchoredAt: number;
  syncBlocksPerSecond: number;
  snapshotLagBlocks: number;
  modelLoadSeconds: number;
  modelDownloadSeconds: number;
  failedNodes: Record<string, string>;
  epoch: EpochScenario;
  confirmationPoc: ConfirmationPocScenario | null;
  chain: Partial<ChainScenario>;
  upgrade: UpgradeScenario | null;
  jailed: boolean;
  /** seconds a jailed validator stays jailed before MsgUnjail is accepted (slashing.mjs) */
  jailSeconds: number;
  /** governance proposals (governance.mjs): in their voting period until votingEndHeight; tally: the rest of the network's voting power */
  proposals: GovProposalScenario[];
  registrationRefused: string | null;
  /** the chain declines every MsgClaimRewards (its validation fails) with this reason: claimed stays false */
  claimRefused: string | null;
  fundRegisteredAccounts: { spendable?: number; vesting?: number } | null;
  pocFailed: boolean;
  /** ML node images whose vLLM fails to load any model */
  brokenImages: string[];
  /** the max age the api gives the NATS streams it creates (0: forever, as versions before v0.2.6) */
  natsStreamMaxAgeSeconds: number;
  /** an ML node's PoC generation (poc-generation.mjs): when its batch lines come, and how it fails */
  /** the rest of the network in a model's bootstrap (bootstrap-eligibility.mjs): other hosts' intents, thresholds met */
  bootstrapEligibility?: Record<string, { otherIntentHosts?: number; meetsWeightThreshold?: boolean; meetsReachability?: boolean }>;
  pocGeneration?: { batchAfterSeconds?: number; sendEverySeconds?: number; failure?: 'oom' | 'no-gpu-group' | null };
}

export type ScenarioPatch = Partial<Omit<Scenario, 'epoch'>> & { epoch?: Partial<EpochScenario> };

export const DEFAULT_SCENARIO: Readonly<Scenario>;
export function readScenario(stateDir: string): Scenario;
export function writeScenario(stateDir: string, patch: ScenarioPatch): Scenario;
export function networkHeightAt(scenario: Scenario, now: number): number;
export function networkHeightNow(stateDir: string): number;
