import { z } from 'zod';

/**
 * `GET /v1/epochs/latest` as far as the safe window needs it (reference gonka-interfaces.md §3 and §5): the height,
 * the phase, whether a Confirmation PoC runs, and where the next PoC starts.
 */
export const EpochsLatestSchema = z.looseObject({
  block_height: z.coerce.number().int().nonnegative(),
  phase: z.string(),
  is_confirmation_poc_active: z.boolean().optional(),
  latest_epoch: z.looseObject({ poc_start_block_height: z.coerce.number().int().nonnegative().optional() }).optional(),
  epoch_stages: z.looseObject({ next_poc_start: z.coerce.number().int().nonnegative().optional() }).optional(),
  next_epoch_stages: z.looseObject({ poc_start: z.coerce.number().int().nonnegative().optional() }).optional(),
  epoch_params: z
    .looseObject({
      epoch_length: z.coerce.number().int().positive().optional(),
      confirmation_poc_safety_window: z.coerce.number().int().nonnegative().optional(),
    })
    .optional(),
});
export type EpochsLatest = z.output<typeof EpochsLatestSchema>;

/** The chain's `confirmation_poc_safety_window` where an api does not report it (the reference: 500 blocks). */
export const DEFAULT_CPOC_SAFETY_WINDOW = 500;

/**
 * The next PoC start: the live epoch's PoC start plus the chain's epoch length (§5: anchor on the live
 * `poc_start_block_height`, never on `epoch_shift`); the api's own stages where it lacks either.
 */
export const nextPocStart = (e: EpochsLatest): number | undefined => {
  const start = e.latest_epoch?.poc_start_block_height;
  const length = e.epoch_params?.epoch_length;
  if (start !== undefined && length !== undefined) return start + length;
  return e.next_epoch_stages?.poc_start ?? e.epoch_stages?.next_poc_start;
};

export interface WindowRules {
  /** blocks an update keeps away from the next PoC start */
  marginBlocks: number;
  /** blocks nop waits at most for the preferred window to open; farther away it goes now, in the Inference phase */
  preferredWaitBlocks: number;
}

export type WindowDecision = { go: true; block: number; blocks_to_poc: number; preferred: boolean; note?: string } | { go: false; waiting: string };

/**
 * Whether a restart or model switch may start now (reference gonka-operations.md §0): never outside the Inference
 * phase nor during a Confirmation PoC, never within `marginBlocks` of the next PoC; preferably in the last
 * `confirmation_poc_safety_window` blocks before the next PoC start, where the chain schedules no Confirmation PoC.
 * nop waits for that window when it opens within `preferredWaitBlocks`, and otherwise goes now and says so.
 */
export const safeWindowDecision = (e: EpochsLatest, rules: WindowRules): WindowDecision => {
  const at = `block ${e.block_height}`;
  if (e.phase !== 'Inference') return { go: false, waiting: `${at}: ${e.phase}, waiting for the PoC window to close` };
  if (e.is_confirmation_poc_active === true) return { go: false, waiting: `${at}: a Confirmation PoC is active, waiting for it to end` };
  const next = nextPocStart(e);
  if (next === undefined) return { go: false, waiting: `${at}: /v1/epochs/latest names no next PoC start` };
  const toPoc = next - e.block_height;
  if (toPoc < rules.marginBlocks) return { go: false, waiting: `${at}: next PoC in ${toPoc} blocks, waiting for it to pass` };
  const safety = e.epoch_params?.confirmation_poc_safety_window ?? DEFAULT_CPOC_SAFETY_WINDOW;
  const go = { go: true as const, block: e.block_height, blocks_to_poc: toPoc };
  if (toPoc <= safety) return { ...go, preferred: true };
  const opens = next - safety;
  const opensIn = opens - e.block_height;
  // an empty preferred window (the margin covers it) is never waited for
  if (rules.marginBlocks < safety && opensIn <= rules.preferredWaitBlocks)
    return { go: false, waiting: `${at}: the ${safety} blocks before PoC (no Confirmation PoC) open at block ${opens}, in ${opensIn} blocks` };
  const why =
    rules.marginBlocks >= safety ? `update_poc_margin_blocks covers them` : `more than update_preferred_wait_blocks (${rules.preferredWaitBlocks}) away`;
  return {
    ...go,
    preferred: false,
    note: `outside the preferred window: the ${safety} blocks before PoC open at block ${opens}, ${opensIn} blocks away (${why}); updating now in the Inference phase`,
  };
};
