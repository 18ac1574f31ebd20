import { coldFeeFacts, coldFeeGuard } from '../../lib/gonka/cold-fee-guard.js';
import { chainTxModule } from '../../lib/gonka/modules/chain-tx.js';
import { coldSignerOf, coldTx, resolveOperatorAccount } from '../../lib/gonka/operator-account.js';
import { defineRole, roleTasks } from '../../lib/roles/role.js';
import { checkJail, jailFacts, verifyUnjailed } from './jail-check.js';
import { UnjailVarsSchema, type UnjailVars } from './vars.js';

const task = roleTasks(UnjailVarsSchema, { chain_tx: chainTxModule });

/** Gas of MsgUnjail (reference §8 sends it with --gas auto; this bounds the fee the cold account must hold). */
export const UNJAIL_GAS = 200_000;

const jailed = (v: UnjailVars): boolean => v.unjail_needed === true;

/**
 * Unjail (reference §8): read `jailed`; when jailed, say why and refuse an unjail that would not hold; the cold
 * account able to pay; MsgUnjail signed where the cold key lives; `jailed: false` verified on chain.
 */
export default defineRole({
  name: 'unjail',
  vars: UnjailVarsSchema,
  tasks: [
    { name: 'Cold account and where it signs', check_mode: false, invalidates: [], run: (_ctx, v) => resolveOperatorAccount(v) },
    { name: 'Jailed, and why', check_mode: false, facts: jailFacts, invalidates: [], run: checkJail },
    {
      name: 'The cold account can pay the fee',
      when: jailed,
      check_mode: false,
      facts: coldFeeFacts,
      invalidates: [],
      run: (ctx, v) => coldFeeGuard(ctx, v, UNJAIL_GAS),
    },
    task.chain_tx({ name: 'Unjail from the cold key', when: jailed, delegate_to: coldSignerOf }, (v) =>
      coldTx(v, { tx: ['slashing', 'unjail'], description: 'unjail the validator' }),
    ),
    { name: 'Validator unjailed on chain', when: (v, ctx) => jailed(v) && !ctx.check, invalidates: [], run: verifyUnjailed },
  ],
});
