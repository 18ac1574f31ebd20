import { adminEntryOf, localAdminUrl } from '../../lib/gonka/admin-api.js';
import { coldSignerHost } from '../../lib/gonka/cold-signer.js';
import { gonkaAdminNodeModule } from '../../lib/gonka/modules/admin-node.js';
import { chainTxModule } from '../../lib/gonka/modules/chain-tx.js';
import { defineRole, roleTasks } from '../../lib/roles/role.js';
import { checkColdFunding, fundingFacts } from './cold-funding.js';
import { checkGrant, grantFacts, grantTx } from './ml-ops-grant.js';
import { participantFacts, registerParticipant, registrationChanges } from './participant.js';
import { RegisterVarsSchema, type RegisterVars } from './vars.js';

const task = roleTasks(RegisterVarsSchema, { chain_tx: chainTxModule, gonka_admin_node: gonkaAdminNodeModule });

const coldSigner = (v: RegisterVars): string | undefined => (v.key_workflow === 'secure' ? coldSignerHost(v) : undefined);

const notGranted = (v: RegisterVars): boolean => v.ml_ops_granted !== true;

/**
 * The running network node on chain: the cold account able to pay the fees (checked before it registers and grants),
 * the participant registered with its consensus key, the warm key granted
 * ML operational permissions by the cold key (on the cold_signer host in the secure workflow), each verified
 * through the chain, and every ML node in the admin API. Already registered and granted: nothing to do.
 */
export default defineRole({
  name: 'register',
  vars: RegisterVarsSchema,
  tasks: [
    { name: 'ML operational grant on chain', facts: grantFacts, invalidates: [], run: checkGrant },
    { name: 'The cold account can pay the fees', when: notGranted, facts: fundingFacts, invalidates: [], run: checkColdFunding },
    { name: 'Participant registered on chain', facts: participantFacts, invalidates: registrationChanges, run: registerParticipant },
    task.chain_tx({ name: 'Grant ML operational permissions from the cold key', when: notGranted, delegate_to: coldSigner }, grantTx),
    // the api reads node-config.json only at its first start: this server's ML nodes and those of the ML servers naming it
    task.gonka_admin_node({ name: 'ML nodes in the admin API' }, (v) => ({
      admin_url: localAdminUrl(v.gonka.ports.admin),
      nodes: v.gonka.node_config.map(adminEntryOf),
    })),
  ],
});
