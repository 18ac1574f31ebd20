import { describe, expect, it } from 'vitest';
import { nextPocStart, safeWindowDecision, type WindowRules } from '../../lib/gonka/safe-window.js';
import { latestEpoch } from '../../sim/gonka/epochs.mjs';
import { DEFAULT_SCENARIO } from '../../sim/gonka/scenario.mjs';

// mainnet's epoch as the simulator answers it: 15,391 blocks, no Confirmation PoC in the last 500 before PoC
const EPOCH = DEFAULT_SCENARIO.epoch;
const CPOC = { startOffset: 1000, graceBlocks: 10, generationBlocks: 50, validationBlocks: 50 };
const POC = 422 * EPOCH.length; // an epoch's PoC start (shift 0)
const NEXT = POC + EPOCH.length;
const RULES: WindowRules = { marginBlocks: 200, preferredWaitBlocks: 1300 };
const at = (height: number, rules = RULES, cpoc: typeof CPOC | null = CPOC) => safeWindowDecision(latestEpoch(EPOCH, height, cpoc), rules);

describe('the update safe window (reference gonka-operations.md §0)', () => {
  it('never during PoC generation or validation, nor while a Confirmation PoC runs', () => {
    expect(at(POC + 10)).toEqual({ go: false, waiting: `block ${POC + 10}: PoCGenerate, waiting for the PoC window to close` });
    expect(at(POC + 70)).toMatchObject({ go: false, waiting: expect.stringContaining('PoCValidate') });
    expect(at(POC + 1020)).toEqual({ go: false, waiting: `block ${POC + 1020}: a Confirmation PoC is active, waiting for it to end` });
  });

  it('goes in the last confirmation_poc_safety_window (500) blocks before PoC, short of the margin', () => {
    expect(at(NEXT - 500)).toEqual({ go: true, block: NEXT - 500, blocks_to_poc: 500, preferred: true });
    expect(at(NEXT - 200)).toEqual({ go: true, block: NEXT - 200, blocks_to_poc: 200, preferred: true });
    expect(at(NEXT - 199)).toEqual({ go: false, waiting: `block ${NEXT - 199}: next PoC in 199 blocks, waiting for it to pass` });
  });

  it('waits for the preferred window when it opens within update_preferred_wait_blocks', () => {
    expect(at(NEXT - 501)).toEqual({
      go: false,
      waiting: `block ${NEXT - 501}: the 500 blocks before PoC (no Confirmation PoC) open at block ${NEXT - 500}, in 1 blocks`,
    });
    expect(at(NEXT - 1800)).toMatchObject({ go: false });
    // walking the epoch block by block: the first block a waiting update goes is the window's first
    const first = Array.from({ length: 1800 }, (_, i) => NEXT - 1800 + i).find((h) => at(h).go);
    expect(first).toBe(NEXT - 500);
  });

  it('farther away it goes now in the Inference phase and says why', () => {
    expect(at(NEXT - 1801)).toEqual({
      go: true,
      block: NEXT - 1801,
      blocks_to_poc: 1801,
      preferred: false,
      note: `outside the preferred window: the 500 blocks before PoC open at block ${NEXT - 500}, 1301 blocks away (more than update_preferred_wait_blocks (1300) away); updating now in the Inference phase`,
    });
    // update_preferred_wait_blocks 0: never waits for it
    expect(at(NEXT - 501, { marginBlocks: 200, preferredWaitBlocks: 0 })).toMatchObject({ go: true, preferred: false });
  });

  it('a margin that covers the safety window leaves no preferred window to wait for', () => {
    expect(at(NEXT - 600, { marginBlocks: 600, preferredWaitBlocks: 1300 })).toMatchObject({
      go: true,
      preferred: false,
      note: expect.stringContaining('update_poc_margin_blocks covers them'),
    });
  });

  it("reads the safety window and the epoch length from the chain's answer", () => {
    const wide = { ...EPOCH, confirmationPocSafetyWindow: 800 };
    expect(safeWindowDecision(latestEpoch(wide, NEXT - 700), RULES)).toMatchObject({ go: true, preferred: true });
    const e = latestEpoch(EPOCH, NEXT - 700);
    // the next PoC is the live epoch's PoC start plus the chain's epoch length (not epoch_shift arithmetic)
    expect(nextPocStart(e)).toBe(NEXT);
    expect(nextPocStart({ ...e, epoch_params: { ...e.epoch_params, epoch_length: 15000 } })).toBe(POC + 15000);
    // an api without epoch_params: its own stages; without confirmation_poc_safety_window: the reference's 500
    const { epoch_params: _, ...bare } = e;
    expect(nextPocStart(bare)).toBe(NEXT);
    expect(safeWindowDecision(bare, RULES)).toMatchObject({ go: false, waiting: expect.stringContaining('the 500 blocks before PoC') });
  });

  it('an answer without a next PoC start is waited on, not guessed', () => {
    expect(safeWindowDecision({ block_height: 5, phase: 'Inference' }, RULES)).toEqual({
      go: false,
      waiting: 'block 5: /v1/epochs/latest names no next PoC start',
    });
  });
});
