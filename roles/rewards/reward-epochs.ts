// Rewards per epoch and what a claim can do (reference §18, §11 step 4). Upstream's chain keeps one settlement per
// participant, the latest settled epoch's (inference-chain x/inference/keeper/msg_server_claim_rewards.go: a claim for
// any other epoch answers "No rewards for this block height"): a reward left unclaimed past the next settlement is lost.

/** One epoch's show-epoch-performance-summary-by-participant, as nop reads it. */
export interface EpochReward {
  epoch: number;
  /** coins for the work done (inferences) */
  earned: number;
  /** the epoch's reward coins */
  rewarded: number;
  claimed: boolean;
}

export interface EpochClock {
  /** latest_epoch.index */
  epoch: number;
  block: number;
  /** epoch_stages.claim_money: from this block the api claims the previous epoch's reward */
  claimMoney: number;
}

export type ClaimVerdict = { verdict: 'none'; reason: string } | { verdict: 'claim'; epoch: number; coins: number } | { verdict: 'refuse'; reason: string };

const coins = (r: EpochReward) => r.earned + r.rewarded;

/** The latest settled epoch: the only one a claim can still pay. */
const latestSettled = (rewards: EpochReward[]): EpochReward | undefined =>
  rewards.reduce<EpochReward | undefined>((a, r) => (!a || r.epoch > a.epoch ? r : a), undefined);

/** The operator's lines: each epoch's reward and whether it was claimed, the claimable one, the unclaimable ones. */
export const rewardLines = (rewards: EpochReward[], clock: EpochClock, shown: number[]): string[] => {
  const latest = latestSettled(rewards);
  const lines = shown.map((epoch) => {
    const r = rewards.find((x) => x.epoch === epoch);
    if (!r) return `epoch ${epoch}: no reward recorded`;
    const amount = `${coins(r)} ngonka (${r.rewarded} reward + ${r.earned} for work)`;
    if (r.claimed) return `epoch ${epoch}: ${amount}, claimed`;
    if (r !== latest) return `epoch ${epoch}: ${amount}, NOT claimed and no longer claimable: the chain pays only the latest settled epoch (${latest?.epoch})`;
    if (coins(r) === 0) return `epoch ${epoch}: nothing to claim`;
    return `epoch ${epoch}: ${amount}, NOT claimed`;
  });
  const unclaimed = latest && !latest.claimed && coins(latest) > 0 ? latest : undefined;
  if (unclaimed && unclaimed.epoch === clock.epoch - 1 && clock.block < clock.claimMoney)
    lines.push(`the api claims epoch ${unclaimed.epoch} itself at block ${clock.claimMoney} (claim_money; now ${clock.block})`);
  else if (unclaimed)
    lines.push(
      `epoch ${unclaimed.epoch}'s claim failed or never ran: recover it with -e rewards_claim=true (the api's POST /admin/v1/claim-reward/recover with force_claim)`,
    );
  lines.push('claimed rewards vest: they are neither spendable nor usable as collateral or fees until they vest');
  return lines;
};

/** Whether a claim (rewards_claim: true) has anything to recover, for `wanted` (rewards_epoch, or the latest settled epoch). */
export const claimVerdict = (rewards: EpochReward[], clock: EpochClock, wanted?: number): ClaimVerdict => {
  const latest = latestSettled(rewards);
  const epoch = wanted ?? latest?.epoch;
  if (epoch === undefined) return { verdict: 'none', reason: 'no epoch reward recorded for this account: nothing to claim' };
  const r = rewards.find((x) => x.epoch === epoch);
  if (!r) return { verdict: 'refuse', reason: `refused: no reward is recorded for epoch ${epoch} (show-epoch-performance-summary-by-participant finds none)` };
  if (r.claimed)
    return wanted === undefined
      ? { verdict: 'none', reason: `epoch ${epoch}'s reward is claimed: nothing to recover` }
      : { verdict: 'refuse', reason: `refused: epoch ${epoch}'s reward is already claimed` };
  if (r !== latest)
    return {
      verdict: 'refuse',
      reason: `refused: epoch ${epoch} is no longer claimable: the chain pays only the latest settled epoch (${latest?.epoch}) and answers any other claim "No rewards for this block height"`,
    };
  if (coins(r) === 0) return { verdict: 'none', reason: `epoch ${epoch} earned nothing: nothing to claim` };
  if (epoch === clock.epoch - 1 && clock.block < clock.claimMoney)
    return {
      verdict: 'refuse',
      reason: `refused: epoch ${epoch}'s claim is not due: the api claims it itself at block ${clock.claimMoney} (claim_money; now ${clock.block}); recover a claim only once that has failed`,
    };
  return { verdict: 'claim', epoch, coins: coins(r) };
};
