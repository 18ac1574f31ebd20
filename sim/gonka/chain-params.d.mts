import type { ChainScenario } from './scenario.mjs';

export const EDITION_1_CHAIN: Readonly<Partial<ChainScenario>>;
export const DEFAULT_CHAIN: Readonly<ChainScenario>;
