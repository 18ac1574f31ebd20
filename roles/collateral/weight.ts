import { z } from 'zod';
import { gnk } from '../../lib/gonka/chain-fees.js';

/** The collateral rule's parameters: inference params' collateral_params and the collateral module's unbonding period. */
export interface CollateralParams {
  /** share of potential weight always active (mainnet 0.2) */
  baseWeightRatio: number;
  /** ngonka of collateral per unit of the rest of the weight (mainnet 4.2) */
  perWeightUnit: number;
  unbondingEpochs: number;
}

/** A decimal as the chain encodes it: `{value, exponent}` (Gonka's own Decimal) or a plain decimal string. */
export const DecimalSchema = z.union([
  z.looseObject({ value: z.union([z.string(), z.number()]), exponent: z.union([z.string(), z.number()]) }).transform((d) => Number(`${d.value}e${d.exponent}`)),
  z.union([z.string(), z.number()]).transform(Number),
]);

/** The account's collateral and its weight: what the rule is applied to. */
export interface CollateralState {
  deposited: number;
  /** potential weight (the participant's weight this epoch) */
  weight: number;
  unbonding: { amount: number; completionEpoch: number }[];
}

/** ngonka of collateral that makes the whole weight active: weight × (1 − base) × per unit. */
export const fullCollateral = (weight: number, p: CollateralParams): number => Math.ceil(weight * (1 - p.baseWeightRatio) * p.perWeightUnit);

/** Active weight: the base share always, the rest in proportion to the collateral deposited (never above it). */
export const activeWeight = (weight: number, deposited: number, p: CollateralParams): number => {
  const required = fullCollateral(weight, p);
  const covered = required === 0 ? 1 : Math.min(1, deposited / required);
  return weight * p.baseWeightRatio + covered * weight * (1 - p.baseWeightRatio);
};

const pct = (x: number): string => `${Number((100 * x).toFixed(1))} %`;
const amount = (ngonka: number): string => `${ngonka} ngonka (${gnk(ngonka)})`;

/** The rule and where the account stands, in words the operator acts on. */
export const explain = (s: CollateralState, p: CollateralParams): string[] => {
  const required = fullCollateral(s.weight, p);
  const active = activeWeight(s.weight, s.deposited, p);
  const rest = 1 - p.baseWeightRatio;
  const lines = [
    `deposited: ${amount(s.deposited)}`,
    ...s.unbonding.map((u) => `unbonding: ${amount(u.amount)}, back in the account at epoch ${u.completionEpoch} (slashable until then)`),
    `rule: ${pct(p.baseWeightRatio)} of the weight is always active; the other ${pct(rest)} only in proportion to collateral, ${p.perWeightUnit} ngonka per weight unit`,
  ];
  if (s.weight === 0)
    return [...lines, 'weight: 0 this epoch (not yet in an epoch): size the deposit on the weight the host expects; collateral counts from the next epoch'];
  return [
    ...lines,
    `weight ${s.weight}: ${s.weight * p.baseWeightRatio} always active; ${s.weight * rest} needs ${amount(required)}; active now ${Number(active.toFixed(2))} (${pct(active / s.weight)})`,
    `a 2× buffer is ${amount(2 * required)}; a deposit counts from the next epoch if on chain before the end of PoC validation; vesting coins cannot be deposited`,
    `a withdrawal unbonds for ${p.unbondingEpochs} epoch(s), still slashable, before it returns to the account`,
  ];
};

/**
 * Why withdrawing `amount` is refused, or undefined: more than is deposited, or leaving less active weight than
 * `keepPercent` of the potential weight (the most that can go is named).
 */
export const withdrawRefusal = (s: CollateralState, p: CollateralParams, amountNgonka: number, keepPercent: number): string | undefined => {
  if (amountNgonka > s.deposited) return `only ${amount(s.deposited)} is deposited: cannot withdraw ${amount(amountNgonka)}`;
  if (s.weight === 0) return undefined;
  const after = activeWeight(s.weight, s.deposited - amountNgonka, p);
  const keep = (keepPercent / 100) * s.weight;
  if (after + 1e-9 >= keep) return undefined;
  // the collateral that keeps `keep` active: (keep − base share) / rest share of the full collateral
  const needed =
    keep <= s.weight * p.baseWeightRatio ? 0 : Math.ceil(((keep / s.weight - p.baseWeightRatio) / (1 - p.baseWeightRatio)) * fullCollateral(s.weight, p));
  const most = Math.max(0, s.deposited - needed);
  return `withdrawing ${amount(amountNgonka)} leaves an active weight of ${Number(after.toFixed(2))} of ${s.weight} (${pct(after / s.weight)}), below collateral_keep_weight_percent ${keepPercent} %: withdraw at most ${amount(most)}, or lower collateral_keep_weight_percent`;
};
