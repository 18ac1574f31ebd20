// Rewards (reference §18 and §11 step 4; upstream inference-chain x/inference/keeper/msg_server_claim_rewards.go).
// At each epoch's settlement the chain records the participant's EpochPerformanceSummary (earned_coins for work,
// rewarded_coins, claimed: false) and one SettleAmount per participant: the latest settled epoch's. Settling the next
// epoch replaces it, so a reward left unclaimed past then is no longer claimable. MsgClaimRewards for the settled
// epoch pays it (into vesting: rewards vest, reference §18) and sets claimed: true; a claim the chain declines
// (another epoch, nothing settled, the claim's validation failing) is still a successful tx whose result says why,
// and claimed stays false. The api sends the claim itself after claim_money; POST /admin/v1/claim-reward/recover
// {"force_claim": true, "epoch_index": N} makes it send it again: the operator's recovery of a failed claim.
import { ensureAccount, updateNetwork } from './network-state.mjs';

const summaryOf = (net, address, epoch) => net.performance?.[address]?.[epoch];

/**
 * Test knob: the chain settles `epoch` for `address` (its work and reward coins); `claimed: true` is the api's
 * automatic claim having gone through, false (the default) a claim that failed or never ran.
 */
export const settleEpochReward = (stateDir, address, epoch, { earned = 0, rewarded = 0, claimed = false } = {}) =>
  updateNetwork(stateDir, (net) => {
    net.performance ??= {};
    net.performance[address] ??= {};
    net.performance[address][epoch] = {
      epoch_index: String(epoch),
      participant_id: address,
      inference_count: '0',
      missed_requests: '0',
      earned_coins: String(earned),
      rewarded_coins: String(rewarded),
      burned_coins: '0',
      validated_inferences: '0',
      invalidated_inferences: '0',
      claimed,
    };
    net.settleAmounts ??= {};
    if (claimed) {
      ensureAccount(net, address).vesting += earned + rewarded;
      delete net.settleAmounts[address];
    } else net.settleAmounts[address] = { epoch, work: earned, reward: rewarded };
    return net;
  });

/**
 * MsgClaimRewards from `address` for `epoch`: `{ amount, result }` as the chain answers it. `refused` (the scenario's
 * `claimRefused`) is the claim's validation failing, as upstream's validateClaim does for missed validations.
 */
export function claimReward(stateDir, address, epoch, refused) {
  let outcome;
  updateNetwork(stateDir, (net) => {
    const settle = net.settleAmounts?.[address];
    if (!settle || settle.work + settle.reward === 0) outcome = { amount: 0, result: 'No rewards for this address' };
    else if (settle.epoch !== epoch) outcome = { amount: 0, result: 'No rewards for this block height' };
    else if (refused) outcome = { amount: 0, result: `Claim validation failed: ${refused}` };
    if (outcome) return net;
    // a per-epoch recipient set by the cold key (set-claim-recipients, reference §18) receives the coins instead
    const recipient = (net.claimRecipients?.[address] ?? []).find((r) => Number(r.epoch) === epoch)?.recipient ?? address;
    ensureAccount(net, recipient).vesting += settle.work + settle.reward;
    delete net.settleAmounts[address];
    const summary = summaryOf(net, address, epoch);
    if (summary) summary.claimed = true;
    outcome = { amount: settle.work + settle.reward, result: 'Rewards claimed successfully' };
    return net;
  });
  return outcome;
}

/** `query inference show-epoch-performance-summary-by-participant EPOCH ADDR` (NotFound when never settled). */
export function performanceSummaryAnswer(net, { epoch_index, participantId }, notFound) {
  const summary = summaryOf(net, participantId, Number(epoch_index));
  if (!summary) throw notFound('not found');
  return { epochPerformanceSummary: summary };
}
