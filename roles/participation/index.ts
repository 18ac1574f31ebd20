import { chainQuery } from '../../lib/facts/builtin/chain-query.js';
import { defineRole } from '../../lib/roles/role.js';
import { participationFacts, recordChoices } from './record-choices.js';
import { ParticipationVarsSchema } from './vars.js';

/**
 * Participation in every live PoC model: the models the network node's participant serves need nothing; for every
 * other one the operator's choice (poc_participation: delegate to a participant, or refuse) is recorded on chain
 * from the cold key — on the server (quick workflow) or the cold signer (secure) — and verified by query.
 */
export default defineRole({
  name: 'participation',
  vars: ParticipationVarsSchema,
  tasks: [{ name: 'PoC participation in every live model', facts: participationFacts, invalidates: [{ fact: chainQuery }], run: recordChoices }],
});
