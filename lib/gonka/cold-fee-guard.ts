import { chainQuery } from '../facts/builtin/chain-query.js';
import { request, type FactRequest } from '../facts/fact.js';
import type { ModuleContext, ModuleResult } from '../modules/module.js';
import { fundingShortfall, gasPriceFromParams, gnk, ngonkaPerGas, spendableFromBalances } from './chain-fees.js';
import { lastLines } from './last-lines.js';
import { operatorOf, operatorQuery, type OperatorVars } from './operator-account.js';

const paramsQuery = (v: OperatorVars) => operatorQuery(v, ['inference', 'params']);
const balancesQuery = (v: OperatorVars) => operatorQuery(v, ['bank', 'spendable-balances', operatorOf(v).address]);

/** What the guard reads, in the play's batch. */
export const coldFeeFacts = (v: OperatorVars): FactRequest[] =>
  v.gonka_operator ? [request(chainQuery, paramsQuery(v)), request(chainQuery, balancesQuery(v))] : [];

/**
 * Before a cold-key transaction: the cold account's spendable coins cover its fee (`gas` × the chain's gas price)
 * plus `extra` ngonka the transaction moves (a collateral deposit). Vesting coins pay nothing. Refuses naming the
 * address and the amount to send; publishes the gas price the transaction is sent with (`gonka_gas_price`).
 */
export const coldFeeGuard = async (ctx: ModuleContext, v: OperatorVars, gas: number, extra = 0): Promise<ModuleResult> => {
  const account = operatorOf(v);
  const params = await ctx.facts.read(chainQuery, paramsQuery(v));
  if (params.rc !== 0) return { changed: false, failed: true, msg: `cannot read the chain's fee params in the api container: ${lastLines(params.output, 3)}` };
  let price: string | undefined;
  try {
    price = gasPriceFromParams(params.output);
  } catch (err) {
    return { changed: false, failed: true, msg: `query inference params answered what is not its params JSON: ${(err as Error).message}` };
  }
  const fee = price ? Math.ceil(gas * ngonkaPerGas(price)) : 0;
  const required = fee + extra;
  if (required === 0) return { changed: false, msg: 'the chain charges no fee for this transaction', ansible_facts: { gonka_gas_price: '' } };
  const balances = await ctx.facts.read(chainQuery, balancesQuery(v));
  if (balances.rc !== 0)
    return { changed: false, failed: true, msg: `cannot read the spendable balance of ${account.address}: ${lastLines(balances.output, 3)}` };
  const spendable = spendableFromBalances(balances.output);
  const short = fundingShortfall({ address: account.address, spendable, required });
  if (short) return { changed: false, failed: true, msg: short };
  return {
    changed: false,
    msg: `the cold account ${account.address} holds ${gnk(spendable)} spendable; this needs ${gnk(required)}${price ? ` (gas price ${price})` : ''}`,
    ansible_facts: { gonka_gas_price: price ?? '' },
  };
};
