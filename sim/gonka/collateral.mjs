// x/collateral as upstream has it (gonka inference-chain/x/collateral): a deposit moves spendable coins to the
// participant's collateral; a withdrawal moves them to an unbonding entry released to the account at
// `completion_epoch` = current epoch + unbonding_period_epochs (still slashable until then). The weight rule's
// parameters (base_weight_ratio, collateral_per_weight_unit) are inference params' collateral_params, not the
// collateral module's (upstream params.proto: its only param is unbonding_period_epochs).
import { ensureAccount } from './network-state.mjs';
import { networkHeightAt } from './scenario.mjs';
import { epochIndexAt } from './epochs.mjs';

export const UNBONDING_PERIOD_EPOCHS = 1;

const failure = (code, log) => ({ code, codespace: 'collateral', log });
const epochAt = (scenario, now) => epochIndexAt(scenario.epoch, networkHeightAt(scenario, now));

// unbonding entries whose epoch came go back to their account's spendable coins
export function releaseUnbonded(net, scenario, now) {
  const epoch = epochAt(scenario, now);
  const due = (net.unbonding ?? []).filter((u) => u.completion_epoch <= epoch);
  for (const u of due) ensureAccount(net, u.participant).spendable += u.amount;
  net.unbonding = (net.unbonding ?? []).filter((u) => u.completion_epoch > epoch);
}

export function applyWithdraw(net, amount, { scenario, now, signer }) {
  const held = net.collateral[signer] ?? 0;
  if (held === 0) return failure(1100, `participant ${signer} has no collateral: no collateral found`);
  if (held < amount) return failure(1101, `collateral ${held}ngonka is less than withdrawal amount ${amount}ngonka: insufficient collateral`);
  net.collateral[signer] = held - amount;
  net.unbonding = [...(net.unbonding ?? []), { participant: signer, amount, completion_epoch: epochAt(scenario, now) + UNBONDING_PERIOD_EPOCHS }];
  return undefined;
}

export const unbondingAnswer = (net, { participant }) => ({
  unbondings: (net.unbonding ?? [])
    .filter((u) => u.participant === participant)
    .map((u) => ({ participant, amount: { denom: 'ngonka', amount: String(u.amount) }, completion_epoch: String(u.completion_epoch) })),
});

export const collateralParamsAnswer = () => ({ params: { unbonding_period_epochs: String(UNBONDING_PERIOD_EPOCHS) } });

/** inference params' collateral_params (mainnet: 0.2 and 4.2, reference §6). */
export const inferenceCollateralParams = (decimal) => ({
  slash_fraction_invalid: decimal(0.2),
  slash_fraction_downtime: decimal(0.1),
  downtime_missed_percentage_threshold: decimal(0.05),
  grace_period_end_epoch: '180',
  base_weight_ratio: decimal(0.2),
  collateral_per_weight_unit: decimal(4.2),
});
