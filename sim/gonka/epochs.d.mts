import type { ConfirmationPocScenario, EpochScenario } from './scenario.mjs';

/** `GET /v1/epochs/latest` at `height`, as the simulated api answers it. */
export function latestEpoch(
  epoch: EpochScenario,
  height: number,
  cpoc?: ConfirmationPocScenario | null,
): {
  block_height: number;
  latest_epoch: { index: number; poc_start_block_height: number };
  phase: string;
  epoch_stages: Record<string, unknown> & { poc_start: number; poc_validation_end: number; next_poc_start: number };
  next_epoch_stages: Record<string, unknown> & { poc_start: number };
  epoch_params: Record<string, number>;
  is_confirmation_poc_active: boolean;
};
export function epochIndexAt(epoch: EpochScenario, height: number): number;
