import { chainQuery, type ChainAnswer } from '../../lib/facts/builtin/chain-query.js';
import { request, type FactRequest } from '../../lib/facts/fact.js';
import { accountAddress } from '../../lib/gonka/account-address.js';
import { apiChainQuery } from '../../lib/gonka/api-chain-query.js';
import { fundingShortfall, gasPriceFromParams, gnk, ngonkaPerGas, spendableFromBalances } from '../../lib/gonka/chain-fees.js';
import { lastLines } from '../../lib/gonka/last-lines.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { keysPlanned, type RegisterVars } from './vars.js';

/** The gas limit of the grant transaction (ml-ops-grant.ts): with the gas price, its fee. */
export const GRANT_GAS = 2_000_000;

const paramsQuery = (v: RegisterVars) => apiChainQuery(v.gonka, ['inference', 'params']);
const balancesQuery = (v: RegisterVars, address: string) => apiChainQuery(v.gonka, ['bank', 'spendable-balances', address]);

/** What the check reads, in the play's batch: the chain's fee params and the cold account's spendable balance. */
export const fundingFacts = (v: RegisterVars): FactRequest[] =>
  v.account_pubkey === undefined ? [] : [request(chainQuery, paramsQuery(v)), request(chainQuery, balancesQuery(v, accountAddress(v.account_pubkey)))];

const gasPriceOf = (answer: ChainAnswer): { price: string | undefined } | { error: string } => {
  if (answer.rc !== 0) return { error: `cannot read the chain's fee params in the api container: ${lastLines(answer.output, 3)}` };
  try {
    return { price: gasPriceFromParams(answer.output) };
  } catch (err) {
    return { error: `query inference params answered what is not its params JSON: ${(err as Error).message}` };
  }
};

/**
 * Before the cold key registers and grants: the chain's gas price (fact `gonka_gas_price`, passed as --gas-prices)
 * and, where the chain charges fees, the cold account's spendable balance covering the grant's fee plus
 * cold_fee_reserve_ngonka for the node's duty transactions it pays through the fee grant. An unfunded cold account
 * stops the role here, naming the address and the amount to send.
 */
export const checkColdFunding = async (ctx: ModuleContext, v: RegisterVars): Promise<ModuleResult> => {
  if (v.account_pubkey === undefined) {
    if (keysPlanned(v)) return { changed: false, msg: "would check the cold account's balance once the keys role created it" };
    return { changed: false, failed: true, msg: "variable 'account_pubkey' is missing: run the keys role first" };
  }
  const gas = gasPriceOf(await ctx.facts.read(chainQuery, paramsQuery(v)));
  if ('error' in gas)
    return ctx.check
      ? { changed: false, skipped: true, msg: `${gas.error} (the deploy role starts the api)` }
      : { changed: false, failed: true, msg: gas.error };
  if (gas.price === undefined) return { changed: false, msg: 'the chain charges no transaction fees', ansible_facts: { gonka_gas_price: '' } };
  const address = accountAddress(v.account_pubkey);
  const balances = await ctx.facts.read(chainQuery, balancesQuery(v, address));
  if (balances.rc !== 0) return { changed: false, failed: true, msg: `cannot read the spendable balance of ${address}: ${lastLines(balances.output, 3)}` };
  const spendable = spendableFromBalances(balances.output);
  const required = Math.ceil(GRANT_GAS * ngonkaPerGas(gas.price)) + v.cold_fee_reserve_ngonka;
  const short = fundingShortfall({ address, spendable, required });
  if (short) return { changed: false, failed: true, msg: short };
  return {
    changed: false,
    msg: `the cold account ${address} holds ${gnk(spendable)} spendable: it pays the grant and the node's fees (gas price ${gas.price})`,
    ansible_facts: { gonka_gas_price: gas.price },
  };
};
