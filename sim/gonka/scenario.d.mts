export interface EpochScenario {
  length: number;
  shift: number;
  pocGenerationBlocks: number;
  windDownBlocks: number;
  pocValidationDelayBlocks: number;
  pocValidationEndBlocks: number;
}

export interface UpgradeScenario {
  name: string;
  height: number;
  info: string;
}

export interface Scenario {
  blocksPerSecond: number;
  networkHeight: number;
  anchoredAt: number;
  syncBlocksPerSecond: number;
  snapshotLagBlocks: number;
  modelLoadSeconds: number;
  failedNodes: Record<string, string>;
  epoch: EpochScenario;
  upgrade: UpgradeScenario | null;
  jailed: boolean;
  registrationRefused: string | null;
  pocFailed: boolean;
  apiVersionSupportsPut: boolean | null;
  /** ML node images whose vLLM fails to load any model */
  brokenImages: string[];
}

export type ScenarioPatch = Partial<Omit<Scenario, 'epoch'>> & { epoch?: Partial<EpochScenario> };

export const DEFAULT_SCENARIO: Readonly<Scenario>;
export function readScenario(stateDir: string): Scenario;
export function writeScenario(stateDir: string, patch: ScenarioPatch): Scenario;
export function networkHeightAt(scenario: Scenario, now: number): number;
export function networkHeightNow(stateDir: string): number;
