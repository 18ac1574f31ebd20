import { z } from 'zod';
import { chainQuery } from '../../lib/facts/builtin/chain-query.js';
import { request, type FactRequest } from '../../lib/facts/fact.js';
import { coldFeeGuard } from '../../lib/gonka/cold-fee-guard.js';
import { answerJson, operatorOf, operatorQuery, readChain } from '../../lib/gonka/operator-account.js';
import { pollUntil } from '../../lib/gonka/poll.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { OPERATOR_REPORT } from '../../lib/runner/operator-report.js';
import type { CollateralVars } from './vars.js';
import { DecimalSchema, explain, withdrawRefusal, type CollateralParams, type CollateralState } from './weight.js';

/** Gas bound of a deposit or withdrawal (sent with --gas auto): the fee the cold account must hold. */
export const COLLATERAL_GAS = 200_000;

const queries = (v: CollateralVars) => {
  const address = operatorOf(v).address;
  return {
    inference: operatorQuery(v, ['inference', 'params']),
    module: operatorQuery(v, ['collateral', 'params']),
    deposited: operatorQuery(v, ['collateral', 'show-collateral', address]),
    unbonding: operatorQuery(v, ['collateral', 'show-unbonding-collateral', address]),
    participant: operatorQuery(v, ['inference', 'show-participant', address]),
  };
};

export const collateralFacts = (v: CollateralVars): FactRequest[] => (v.gonka_operator ? Object.values(queries(v)).map((q) => request(chainQuery, q)) : []);

const count = z.union([z.string(), z.number()]).transform(Number);
const CoinSchema = z.looseObject({ amount: count });

const paramsOf = (inference: Record<string, unknown>, module: Record<string, unknown>): CollateralParams => {
  const c = z
    .looseObject({
      params: z.looseObject({ collateral_params: z.looseObject({ base_weight_ratio: DecimalSchema, collateral_per_weight_unit: DecimalSchema }) }),
    })
    .parse(inference).params.collateral_params;
  const unbonding = z.looseObject({ params: z.looseObject({ unbonding_period_epochs: count.default(1) }) }).parse(module).params.unbonding_period_epochs;
  return { baseWeightRatio: c.base_weight_ratio, perWeightUnit: c.collateral_per_weight_unit, unbondingEpochs: unbonding };
};

// show-collateral answers NotFound for an account that never deposited
const depositedOf = (answer: ReturnType<typeof answerJson>): number | { error: string } => {
  if ('error' in answer) return /not found/i.test(answer.error) ? 0 : answer;
  const parsed = z.looseObject({ amount: CoinSchema.optional() }).safeParse(answer.json);
  return parsed.success ? (parsed.data.amount?.amount ?? 0) : { error: `show-collateral answered what is not an amount: ${parsed.error.issues[0].message}` };
};

const unbondingOf = (answer: ReturnType<typeof answerJson>): CollateralState['unbonding'] => {
  if ('error' in answer) return [];
  const parsed = z.looseObject({ unbondings: z.array(z.looseObject({ amount: CoinSchema, completion_epoch: count })).default([]) }).safeParse(answer.json);
  return parsed.success ? parsed.data.unbondings.map((u) => ({ amount: u.amount.amount, completionEpoch: u.completion_epoch })) : [];
};

const weightOf = (answer: ReturnType<typeof answerJson>): number => {
  if ('error' in answer) return 0;
  const w = z.looseObject({ participant: z.looseObject({ weight: count.default(0) }) }).safeParse(answer.json);
  return w.success ? w.data.participant.weight : 0;
};

type Read = { state: CollateralState; params: CollateralParams } | { error: string };

const readState = async (ctx: ModuleContext, v: CollateralVars, fresh: boolean): Promise<Read> => {
  const q = queries(v);
  const get = (query: (typeof q)[keyof typeof q], what: string) =>
    fresh ? readChain(ctx, query, what) : ctx.facts.read(chainQuery, query).then((a) => answerJson(a, what));
  const [inference, module, deposited, unbonding, participant] = await Promise.all([
    get(q.inference, 'query inference params'),
    get(q.module, 'query collateral params'),
    get(q.deposited, 'query collateral show-collateral'),
    get(q.unbonding, 'query collateral show-unbonding-collateral'),
    get(q.participant, 'query inference show-participant'),
  ]);
  if ('error' in inference) return inference;
  if ('error' in module) return module;
  const amount = depositedOf(deposited);
  if (typeof amount !== 'number') return amount;
  try {
    return { params: paramsOf(inference.json, module.json), state: { deposited: amount, weight: weightOf(participant), unbonding: unbondingOf(unbonding) } };
  } catch (e) {
    return { error: `the chain's collateral params are not what the reference describes: ${(e as Error).message}` };
  }
};

/** The collateral, the rule and where the account stands (published as gonka_collateral for the guards). */
export const showCollateral = async (ctx: ModuleContext, v: CollateralVars): Promise<ModuleResult> => {
  const read = await readState(ctx, v, false);
  if ('error' in read) return { changed: false, failed: true, msg: `${read.error} (is the api container running?)` };
  return {
    changed: false,
    msg: `${operatorOf(v).address}: ${read.state.deposited} ngonka of collateral`,
    [OPERATOR_REPORT]: explain(read.state, read.params),
    ansible_facts: { gonka_collateral: { ...read.state, params: read.params } },
  };
};

type Known = CollateralState & { params: CollateralParams };
const known = (v: CollateralVars): Known => v.gonka_collateral as Known;

/** A deposit: the cold account's spendable coins pay it and its fee. */
export const guardDeposit = (ctx: ModuleContext, v: CollateralVars): Promise<ModuleResult> => coldFeeGuard(ctx, v, COLLATERAL_GAS, v.collateral_deposit_ngonka);

/** A withdrawal: allowed by name, within what is deposited, leaving the weight the operator keeps; its fee paid. */
export const guardWithdraw = async (ctx: ModuleContext, v: CollateralVars): Promise<ModuleResult> => {
  const amount = v.collateral_withdraw_ngonka!;
  if (!v.withdraw_collateral)
    return {
      changed: false,
      failed: true,
      msg: `refused: withdrawing ${amount} ngonka needs withdraw_collateral: true (-e withdraw_collateral=true): the weight it leaves uncovered is lost from the next epoch`,
    };
  const s = known(v);
  const refusal = withdrawRefusal(s, s.params, amount, v.collateral_keep_weight_percent);
  if (refusal) return { changed: false, failed: true, msg: `refused: ${refusal}` };
  return coldFeeGuard(ctx, v, COLLATERAL_GAS);
};

/** The collateral on chain read until it shows the change; the rule explained again for the new amount. */
export const verifyCollateral = async (ctx: ModuleContext, v: CollateralVars): Promise<ModuleResult> => {
  const before = known(v);
  const expected = before.deposited + (v.collateral_deposit_ngonka ?? 0) - (v.collateral_withdraw_ngonka ?? 0);
  const seen = await pollUntil(ctx, { timeout: v.collateral_verify_timeout, interval: 2 }, async () => {
    const read = await readState(ctx, v, true);
    if ('error' in read) return { waiting: read.error };
    return read.state.deposited === expected
      ? { done: read }
      : { waiting: `waiting for the collateral to show ${expected} ngonka (${read.state.deposited} now)` };
  });
  if (!seen || 'error' in seen)
    return {
      changed: false,
      failed: true,
      msg: `the transaction was sent, but show-collateral does not show ${expected} ngonka after ${v.collateral_verify_timeout} s`,
    };
  const msg = `${operatorOf(v).address}: ${expected} ngonka of collateral on chain`;
  return { changed: false, msg, [OPERATOR_REPORT]: [msg, ...explain(seen.state, seen.params)] };
};
