import type { ChainScenario } from './scenario.mjs';

export const EDITION_1_CHAIN: Readonly<Partial<ChainScenario>>;
export const DEFAULT_CHAIN: Readonly<ChainScenario>;
export function paramsJson(chain: ChainScenario, epochScenario: import('./scenario.mjs').EpochScenario): unknown;
export function dynamicCoefficients(chain: ChainScenario, epoch: number): unknown;
export function chainOf(scenario: import('./scenario.mjs').Scenario): ChainScenario;
