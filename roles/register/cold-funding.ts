import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { NETWORK_COMPOSE } from '../../lib/gonka/deploy-files.js';
import { compose } from '../../lib/gonka/deployment-compose.js';
import { lastLines } from '../../lib/gonka/last-lines.js';
import { accountAddress } from '../../lib/gonka/account-address.js';
import { COLD_KEY_PLANNED, keyPlanned } from '../../lib/gonka/key-planning.js';
import { fundingShortfall, gasPriceFromParams, gnk, ngonkaPerGas, spendableFromBalances } from '../../lib/gonka/chain-fees.js';
import type { RegisterVars } from './vars.js';

/** The gas limit of the grant transaction (ml-ops-grant.ts): with the gas price, its fee. */
export const GRANT_GAS = 2_000_000;

/** `inferenced query ARGS -o json` in the api container, against the node it runs beside. */
export const queryInApi = (ctx: ModuleContext, v: RegisterVars, args: string[]) =>
  compose(ctx, v.gonka, NETWORK_COMPOSE, ['exec', '-T', 'api', 'inferenced', 'query', ...args, '--node', v.gonka.env.DAPI_CHAIN_NODE__URL, '-o', 'json']);

const readGasPrice = async (ctx: ModuleContext, v: RegisterVars): Promise<{ price: string | undefined } | { error: string }> => {
  const res = await queryInApi(ctx, v, ['inference', 'params']);
  if (res.code !== 0) return { error: `cannot read the chain's fee params in the api container: ${lastLines(`${res.stderr}\n${res.stdout}`, 3)}` };
  try {
    return { price: gasPriceFromParams(res.stdout) };
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
    if (keyPlanned(ctx, COLD_KEY_PLANNED)) return { changed: false, msg: "would check the cold account's balance once the keys role created it" };
    return { changed: false, failed: true, msg: "variable 'account_pubkey' is missing: run the keys role first" };
  }
  const gas = await readGasPrice(ctx, v);
  if ('error' in gas)
    return ctx.check
      ? { changed: false, skipped: true, msg: `${gas.error} (the deploy role starts the api)` }
      : { changed: false, failed: true, msg: gas.error };
  if (gas.price === undefined) return { changed: false, msg: 'the chain charges no transaction fees', ansible_facts: { gonka_gas_price: '' } };
  const address = accountAddress(v.account_pubkey);
  const balances = await queryInApi(ctx, v, ['bank', 'spendable-balances', address]);
  if (balances.code !== 0)
    return { changed: false, failed: true, msg: `cannot read the spendable balance of ${address}: ${lastLines(`${balances.stderr}\n${balances.stdout}`, 3)}` };
  const spendable = spendableFromBalances(balances.stdout);
  const required = Math.ceil(GRANT_GAS * ngonkaPerGas(gas.price)) + v.cold_fee_reserve_ngonka;
  const short = fundingShortfall({ address, spendable, required });
  if (short) return { changed: false, failed: true, msg: short };
  return {
    changed: false,
    msg: `the cold account ${address} holds ${gnk(spendable)} spendable: it pays the grant and the node's fees (gas price ${gas.price})`,
    ansible_facts: { gonka_gas_price: gas.price },
  };
};
