// The simulator's rewards (sim/gonka/rewards.mjs) as upstream's MsgClaimRewards settles them: one settlement per
// participant (the latest epoch's), a claim for another epoch or a declined validation leaves claimed: false, a
// claim pays into vesting (or the epoch's claim recipient) and sets claimed: true.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { updateNetwork } from '../../sim/gonka/network-state.mjs';
import { claimReward, performanceSummaryAnswer, settleEpochReward } from '../../sim/gonka/rewards.mjs';

const A = 'gonka1participant';
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-rewards-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const readNetwork = (d: string) => JSON.parse(readFileSync(join(d, 'gonka-network.json'), 'utf8'));
const summary = (epoch: number) =>
  (performanceSummaryAnswer(readNetwork(dir), { epoch_index: String(epoch), participantId: A }, (what) => new Error(`NotFound: ${what}`)) as any)
    .epochPerformanceSummary;

it('a settled reward is claimed once, into vesting, and shows claimed: true', () => {
  settleEpochReward(dir, A, 7, { earned: 100, rewarded: 900 });
  expect(summary(7)).toMatchObject({ epoch_index: '7', earned_coins: '100', rewarded_coins: '900', claimed: false });
  expect(claimReward(dir, A, 7)).toEqual({ amount: 1000, result: 'Rewards claimed successfully' });
  expect(summary(7).claimed).toBe(true);
  expect(readNetwork(dir).accounts[A]).toEqual({ spendable: 0, vesting: 1000 });
  expect(claimReward(dir, A, 7)).toEqual({ amount: 0, result: 'No rewards for this address' });
  expect(readNetwork(dir).accounts[A].vesting).toBe(1000);
});

it('the next settlement replaces an unclaimed one: the older epoch is no longer claimable', () => {
  settleEpochReward(dir, A, 7, { rewarded: 900 });
  settleEpochReward(dir, A, 8, { rewarded: 800 });
  expect(claimReward(dir, A, 7)).toEqual({ amount: 0, result: 'No rewards for this block height' });
  expect(summary(7).claimed).toBe(false);
  expect(claimReward(dir, A, 8).amount).toBe(800);
});

it('a declined validation leaves the reward settled and unclaimed; a later claim goes through', () => {
  settleEpochReward(dir, A, 7, { rewarded: 900 });
  expect(claimReward(dir, A, 7, 'missed validations')).toEqual({ amount: 0, result: 'Claim validation failed: missed validations' });
  expect(summary(7).claimed).toBe(false);
  expect(claimReward(dir, A, 7).amount).toBe(900);
});

it("the epoch's claim recipient receives the coins; an epoch never settled is NotFound", () => {
  updateNetwork(dir, (net: any) => {
    net.claimRecipients[A] = [{ epoch: '7', recipient: 'gonka1other' }];
    return net;
  });
  settleEpochReward(dir, A, 7, { rewarded: 900 });
  claimReward(dir, A, 7);
  expect(readNetwork(dir).accounts.gonka1other.vesting).toBe(900);
  expect(() => summary(6)).toThrow('NotFound');
});
