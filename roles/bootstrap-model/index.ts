import { gonkaAdminNodeModule } from '../../lib/gonka/modules/admin-node.js';
import { chainTxModule } from '../../lib/gonka/modules/chain-tx.js';
import { coldSignerOf, coldTx, resolveOperatorAccount } from '../../lib/gonka/operator-account.js';
import { defineRole, roleTasks } from '../../lib/roles/role.js';
import { downloadTask, scheduleTask, verifyIntentTask } from './state.js';
import { BootstrapVarsSchema, type BootstrapVars } from './vars.js';

const task = roleTasks(BootstrapVarsSchema, { chain_tx: chainTxModule, gonka_admin_node: gonkaAdminNodeModule });

/** The reference's gas for a PoC choice (as set-poc-delegation, §1). */
const INTENT_GAS = 300_000;

const step = (s: BootstrapVars['bootstrap_step']) => (v: BootstrapVars) => v.bootstrap_step === s;

/**
 * A new governance model, bootstrapped (reference gonka-operations.md §5 and §1 step 4): `intent` declares the
 * intent from the cold key before the snapshot height (next PoC − deploy_window) and pre-downloads the weights;
 * `switch` puts the model on the ML node inside the deploy window; `verify`, after the PoC, checks the account
 * committed the model. Each refuses, saying why, when the chain's height does not allow it.
 */
export default defineRole({
  name: 'bootstrap-model',
  vars: BootstrapVarsSchema,
  tasks: [
    { name: 'Cold account and where it signs', check_mode: false, invalidates: [], run: (_ctx, v) => resolveOperatorAccount(v) },
    { name: 'Bootstrap schedule', check_mode: false, invalidates: [], run: scheduleTask },
    task.chain_tx({ name: 'Declare the PoC intent', when: (v) => v.bootstrap_todo?.intent === true, delegate_to: coldSignerOf }, (v) =>
      coldTx(v, {
        tx: ['inference', 'declare-poc-intent', v.bootstrap_model],
        description: `declare the PoC intent for ${v.bootstrap_model}`,
        gas: INTENT_GAS,
      }),
    ),
    { name: 'Intent on chain', when: (v, ctx) => step('intent')(v) && !ctx.check, invalidates: [], run: verifyIntentTask },
    { name: 'Pre-download the weights', when: (v) => v.bootstrap_todo?.download === true, run: downloadTask },
    task.gonka_admin_node({ name: 'Switch the ML node to the model', when: (v) => v.bootstrap_todo?.node !== undefined }, (v) => ({
      admin_url: v.gonka_admin_url,
      nodes: [v.bootstrap_todo!.node as never],
    })),
  ],
});
