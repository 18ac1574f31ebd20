import { coldFeeFacts } from '../../lib/gonka/cold-fee-guard.js';
import { chainTxModule } from '../../lib/gonka/modules/chain-tx.js';
import { coldSignerOf, coldTx, resolveOperatorAccount } from '../../lib/gonka/operator-account.js';
import { defineRole, roleTasks } from '../../lib/roles/role.js';
import { collateralFacts, guardDeposit, guardWithdraw, showCollateral, verifyCollateral } from './collateral-state.js';
import { CollateralVarsSchema, type CollateralVars } from './vars.js';

const task = roleTasks(CollateralVarsSchema, { chain_tx: chainTxModule });

const depositing = (v: CollateralVars): boolean => v.collateral_deposit_ngonka !== undefined;
const withdrawing = (v: CollateralVars): boolean => v.collateral_withdraw_ngonka !== undefined;

/**
 * Collateral (reference §6): the deposit, unbonding withdrawals and the 20 %/80 % rule applied to the account's
 * weight; a deposit from the cold account (its spendable coins checked); a withdrawal only with
 * withdraw_collateral: true and never below collateral_keep_weight_percent of the weight; each verified on chain.
 */
export default defineRole({
  name: 'collateral',
  vars: CollateralVarsSchema,
  tasks: [
    { name: 'Cold account and where it signs', check_mode: false, invalidates: [], run: (_ctx, v) => resolveOperatorAccount(v) },
    { name: 'Collateral and weight', check_mode: false, facts: collateralFacts, invalidates: [], run: showCollateral },
    { name: 'The deposit can be paid', when: depositing, check_mode: false, facts: coldFeeFacts, invalidates: [], run: guardDeposit },
    { name: 'The withdrawal keeps the weight', when: withdrawing, check_mode: false, facts: coldFeeFacts, invalidates: [], run: guardWithdraw },
    task.chain_tx({ name: 'Deposit collateral from the cold key', when: depositing, delegate_to: coldSignerOf }, (v) =>
      coldTx(v, {
        tx: ['collateral', 'deposit-collateral', `${v.collateral_deposit_ngonka}ngonka`],
        description: `deposit ${v.collateral_deposit_ngonka} ngonka of collateral`,
      }),
    ),
    task.chain_tx({ name: 'Withdraw collateral from the cold key', when: withdrawing, delegate_to: coldSignerOf }, (v) =>
      coldTx(v, {
        tx: ['collateral', 'withdraw-collateral', `${v.collateral_withdraw_ngonka}ngonka`],
        description: `withdraw ${v.collateral_withdraw_ngonka} ngonka of collateral`,
      }),
    ),
    { name: 'Collateral on chain', when: (v, ctx) => (depositing(v) || withdrawing(v)) && !ctx.check, invalidates: [], run: verifyCollateral },
  ],
});
