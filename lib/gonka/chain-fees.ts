import { z } from 'zod';

/**
 * Transaction fees since v0.2.16 (reference edition 2, §0.12 and §3 "Fees"): message types belong to fee groups,
 * the enabled groups charge a minimum price per gas, vesting coins never pay, and the warm key's duty txs are paid
 * by the cold account through the fee grant `grant-ml-ops-permissions` creates. Read from the chain at run time:
 * `query inference params` (fee params), `query bank spendable-balances`, `query feegrant grant`.
 */

const amount = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(Number);
const CoinsSchema = z.array(z.looseObject({ denom: z.string(), amount }));

const FeeParamsSchema = z.looseObject({
  enabled_fee_groups: z.array(z.string()).default([]),
  groups: z.array(z.looseObject({ name: z.string(), min_gas_price: z.union([z.string(), z.number()]).transform(Number) })).default([]),
});

const ParamsSchema = z.looseObject({ params: z.looseObject({ fee_params: FeeParamsSchema.optional() }) });

/**
 * The gas price every tx pays, `<n>ngonka`: the highest minimum of the enabled fee groups (a price at or above the
 * minimum of whatever group a message falls in); undefined when no group charges (the chain before v0.2.16).
 * Throws on output that is not the params JSON.
 */
export const gasPriceFromParams = (paramsJson: string): string | undefined => {
  const parsed = ParamsSchema.parse(JSON.parse(paramsJson));
  const fees = parsed.params.fee_params;
  if (!fees) return undefined;
  const prices = fees.groups.filter((g) => fees.enabled_fee_groups.includes(g.name) && Number.isFinite(g.min_gas_price)).map((g) => g.min_gas_price);
  const price = Math.max(0, ...prices);
  return price > 0 ? `${price}ngonka` : undefined;
};

/** ngonka per gas of a `--gas-prices` value such as `1ngonka` or `0.5ngonka`. */
export const ngonkaPerGas = (gasPrice: string): number => {
  const m = /^(\d+(?:\.\d+)?)ngonka$/.exec(gasPrice);
  if (!m) throw new Error(`not an ngonka gas price: ${gasPrice}`);
  return Number(m[1]);
};

/** The spendable ngonka of `query bank spendable-balances ADDR -o json` (vesting coins are not spendable). */
export const spendableFromBalances = (json: string): number =>
  z
    .looseObject({ balances: CoinsSchema.default([]) })
    .parse(JSON.parse(json))
    .balances.filter((c) => c.denom === 'ngonka')
    .reduce((sum, c) => sum + c.amount, 0);

/** ngonka in GNK, for messages an operator acts on (1 GNK = 1e9 ngonka). */
export const gnk = (ngonka: number): string => `${(ngonka / 1e9).toLocaleString('en-US', { maximumFractionDigits: 9 })} GNK`;

export interface FundingCheck {
  address: string;
  spendable: number;
  /** what the next transactions need: their fees and the reserve the node's own duty txs draw from */
  required: number;
}

/** Why the cold account cannot pay, with what to send it; undefined when it can. */
export const fundingShortfall = (c: FundingCheck): string | undefined => {
  if (c.spendable >= c.required) return undefined;
  const missing = c.required - c.spendable;
  return (
    `the cold account ${c.address} holds ${c.spendable} ngonka spendable (${gnk(c.spendable)}); it pays every fee since v0.2.16 ` +
    `(vesting coins cannot): send it at least ${missing} ngonka (${gnk(missing)}) and run again`
  );
};
