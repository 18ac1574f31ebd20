/**
 * The Gonka simulator's knobs, for the demo and the tests: its scenario, its clock and the status knobs, each
 * kept in a simulated host's Gonka state dir (SimHost.gonkaStateDir). The simulator is plain ESM kept in the
 * source tree (its processes run inside simulated hosts), so it is loaded from there, compiled or not.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './host/paths.js';

const load = <T>(file: string): Promise<T> => import(pathToFileURL(join(REPO_ROOT, 'sim/gonka', file)).href) as Promise<T>;

export type { Scenario, ScenarioPatch, ChainScenario } from './gonka/scenario.mjs';
export type { ClockSettings } from './gonka/clock.mjs';
export type { StatusKnobs } from './gonka/status-knobs.mjs';

export const { readScenario, writeScenario, networkHeightNow } = await load<typeof import('./gonka/scenario.mjs')>('scenario.mjs');
export const { clockNow, advance, setClock } = await load<typeof import('./gonka/clock.mjs')>('clock.mjs');
export const { writeStatusKnobs } = await load<typeof import('./gonka/status-knobs.mjs')>('status-knobs.mjs');
export const { fundAccount, recordPocChoice, updateNetwork } = await load<typeof import('./gonka/network-state.mjs')>('network-state.mjs');
export const { EDITION_1_CHAIN, DEFAULT_CHAIN, chainOf } = await load<typeof import('./gonka/chain-params.mjs')>('chain-params.mjs');
export const { startSeedApi, seedNodeId } = await load<typeof import('./gonka/seed-api.mjs')>('seed-api.mjs');
export const { newAccountKey } = await load<typeof import('./gonka/keys.mjs')>('keys.mjs');
export const { settleEpochReward } = await load<typeof import('./gonka/rewards.mjs')>('rewards.mjs');
