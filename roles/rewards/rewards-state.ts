import { z } from 'zod';
import { chainQuery } from '../../lib/facts/builtin/chain-query.js';
import { httpGet } from '../../lib/facts/builtin/http.js';
import { request, type FactRequest } from '../../lib/facts/fact.js';
import { answerJson, operatorOf, operatorQuery, readChain } from '../../lib/gonka/operator-account.js';
import { pollUntil } from '../../lib/gonka/poll.js';
import { hostHttp } from '../../lib/modules/host-http.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { OPERATOR_REPORT } from '../../lib/runner/operator-report.js';
import { claimVerdict, rewardLines, type EpochClock, type EpochReward } from './reward-epochs.js';
import type { RewardsVars } from './vars.js';

const count = z.union([z.string(), z.number()]).transform(Number);
const bool = z.union([z.boolean(), z.string()]).transform((x) => x === true || x === 'true');

const EpochSchema = z.looseObject({
  block_height: count,
  latest_epoch: z.looseObject({ index: count }),
  epoch_stages: z.looseObject({ claim_money: count }),
});

const SummarySchema = z.looseObject({
  epochPerformanceSummary: z.looseObject({ earned_coins: count.default(0), rewarded_coins: count.default(0), claimed: bool.default(false) }),
});

const epochRequest = (v: RewardsVars) => ({ url: `${v.gonka_api_url.replace(/\/+$/, '')}/v1/epochs/latest` });

// reference §11 step 4
const summaryQuery = (v: RewardsVars, epoch: number) =>
  operatorQuery(v, ['inference', 'show-epoch-performance-summary-by-participant', String(epoch), operatorOf(v).address]);

export const epochFacts = (v: RewardsVars): FactRequest[] => [request(httpGet, epochRequest(v))];

const readClock = async (ctx: ModuleContext, v: RewardsVars): Promise<EpochClock | { error: string }> => {
  const res = await ctx.facts.read(httpGet, epochRequest(v));
  const parsed = EpochSchema.safeParse(res.json);
  if (res.status !== 200 || !parsed.success)
    return { error: `${epochRequest(v).url} answered ${res.status === 0 ? 'nothing' : `status ${res.status}`}: is the api running?` };
  return { epoch: parsed.data.latest_epoch.index, block: parsed.data.block_height, claimMoney: parsed.data.epoch_stages.claim_money };
};

/** The epoch's summary, undefined when the chain has none (NotFound), or why it could not be read. */
const readReward = async (ctx: ModuleContext, v: RewardsVars, epoch: number, fresh: boolean): Promise<EpochReward | undefined | { error: string }> => {
  const what = `query inference show-epoch-performance-summary-by-participant ${epoch}`;
  const answer = fresh ? await readChain(ctx, summaryQuery(v, epoch), what) : answerJson(await ctx.facts.read(chainQuery, summaryQuery(v, epoch)), what);
  if ('error' in answer) return /not ?found/i.test(answer.error) ? undefined : answer;
  const parsed = SummarySchema.safeParse(answer.json);
  if (!parsed.success) return { error: `${what} answered what is not a performance summary: ${parsed.error.issues[0].message}` };
  const s = parsed.data.epochPerformanceSummary;
  return { epoch, earned: s.earned_coins, rewarded: s.rewarded_coins, claimed: s.claimed };
};

const shownEpochs = (v: RewardsVars, clock: EpochClock): number[] => {
  const from = Math.max(0, clock.epoch - v.rewards_epochs);
  const epochs = Array.from({ length: clock.epoch - from }, (_, i) => from + i);
  return v.rewards_epoch !== undefined && !epochs.includes(v.rewards_epoch) ? [v.rewards_epoch, ...epochs] : epochs;
};

/**
 * The reward of each of the last rewards_epochs epochs, claimed or not (reference §11 step 4, §18); with rewards_claim,
 * whether a claim has anything to recover (published as rewards_claim_epoch), refused when it cannot help.
 */
export const showRewards = async (ctx: ModuleContext, v: RewardsVars): Promise<ModuleResult> => {
  const clock = await readClock(ctx, v);
  if ('error' in clock) return { changed: false, failed: true, msg: clock.error };
  const epochs = shownEpochs(v, clock);
  const read = await Promise.all(epochs.map((e) => readReward(ctx, v, e, false)));
  const failed = read.find((r): r is { error: string } => r !== undefined && 'error' in r);
  if (failed) return { changed: false, failed: true, msg: `${failed.error} (is the api container running?)` };
  const rewards = read.filter((r): r is EpochReward => r !== undefined);
  const lines = [`epoch ${clock.epoch} now (block ${clock.block}); rewards of ${operatorOf(v).address}:`, ...rewardLines(rewards, clock, epochs)];
  if (!v.rewards_claim) return { changed: false, msg: `${operatorOf(v).address}: ${rewards.length} epoch reward(s) recorded`, [OPERATOR_REPORT]: lines };
  const verdict = claimVerdict(rewards, clock, v.rewards_epoch);
  if (verdict.verdict === 'refuse') return { changed: false, failed: true, msg: verdict.reason, [OPERATOR_REPORT]: lines };
  if (verdict.verdict === 'none') return { changed: false, msg: verdict.reason, [OPERATOR_REPORT]: lines };
  return {
    changed: false,
    msg: `epoch ${verdict.epoch}: ${verdict.coins} ngonka unclaimed: recover the claim`,
    [OPERATOR_REPORT]: lines,
    ansible_facts: { rewards_claim_epoch: verdict.epoch },
  };
};

const recoverUrl = (v: RewardsVars) => `${v.gonka_admin_url.replace(/\/+$/, '')}/admin/v1/claim-reward/recover`;

/** The api sends the claim again (reference §11 step 4): POST /admin/v1/claim-reward/recover, on the network node. */
export const recoverClaim = async (ctx: ModuleContext, v: RewardsVars): Promise<ModuleResult> => {
  const epoch = v.rewards_claim_epoch!;
  const body = { force_claim: true, epoch_index: epoch };
  // the task runs in check mode too (check_mode: false, so ctx.check is false): the play's mode is the variable
  if (v.ansible_check_mode)
    return { changed: true, msg: `would ask the api to claim epoch ${epoch}'s reward again: POST ${recoverUrl(v)} ${JSON.stringify(body)}` };
  const res = await hostHttp(ctx.exec, { method: 'POST', url: recoverUrl(v), body });
  if (res.status < 200 || res.status >= 300)
    return {
      changed: false,
      failed: true,
      msg: `POST ${recoverUrl(v)} answered ${res.status === 0 ? `nothing (${res.error})` : `${res.status}: ${res.text}`}`,
    };
  return { changed: true, msg: `the api sends epoch ${epoch}'s claim again` };
};

/** The epoch's summary read until it shows claimed: true. A declined claim is a successful tx: only this tells. */
export const verifyClaimed = async (ctx: ModuleContext, v: RewardsVars): Promise<ModuleResult> => {
  const epoch = v.rewards_claim_epoch!;
  const claimed = await pollUntil(ctx, { timeout: v.rewards_verify_timeout, interval: 2 }, async () => {
    const r = await readReward(ctx, v, epoch, true);
    if (r === undefined || 'error' in r) return { waiting: r?.error ?? `waiting for epoch ${epoch}'s summary` };
    return r.claimed ? { done: r } : { waiting: `waiting for epoch ${epoch}'s reward to show claimed: true` };
  });
  if (!claimed)
    return {
      changed: false,
      failed: true,
      msg: `the claim for epoch ${epoch} was sent, but the chain still shows claimed: false after ${v.rewards_verify_timeout} s: the chain declined it (its answer is in the api's log: docker compose logs api | grep ClaimRewards)`,
    };
  const msg = `${operatorOf(v).address}: epoch ${epoch}'s reward claimed on chain (${claimed.earned + claimed.rewarded} ngonka, vesting)`;
  return { changed: false, msg, [OPERATOR_REPORT]: [msg] };
};
