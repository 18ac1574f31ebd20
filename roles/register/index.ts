import { defineRole } from '../../lib/roles/role.js';
import { coldSignerHost } from '../../lib/gonka/cold-signer.js';
import { checkColdFunding } from './cold-funding.js';
import { checkGrant, grantMlOps, verifyGrant } from './ml-ops-grant.js';
import { syncMlNodes } from './ml-nodes.js';
import { registerParticipant } from './participant.js';
import { RegisterVarsSchema, type RegisterVars } from './vars.js';

const coldSigner = (v: RegisterVars): string | undefined => (v.key_workflow === 'secure' ? coldSignerHost(v) : undefined);

const granted = (_v: RegisterVars, ctx: { vars: Record<string, unknown> }) => ctx.vars.ml_ops_granted === true;

/**
 * The running network node on chain: the cold account able to pay the fees (checked before it registers and grants),
 * the participant registered with its consensus key, the warm key granted
 * ML operational permissions by the cold key (on the cold_signer host in the secure workflow), each verified
 * through the API, and every ML node in the admin API. Already registered and granted: nothing to do.
 */
export default defineRole({
  name: 'register',
  vars: RegisterVarsSchema,
  tasks: [
    { name: 'ML operational grant on chain', run: checkGrant },
    { name: 'The cold account can pay the fees', when: (v, ctx) => !granted(v, ctx), run: checkColdFunding },
    { name: 'Participant registered on chain', run: registerParticipant },
    { name: 'Grant ML operational permissions from the cold key', when: (v, ctx) => !granted(v, ctx), delegate_to: coldSigner, run: grantMlOps },
    { name: 'Verify the grant on chain', when: (v, ctx) => !granted(v, ctx), run: verifyGrant },
    { name: 'ML nodes in the admin API', run: syncMlNodes },
  ],
});
