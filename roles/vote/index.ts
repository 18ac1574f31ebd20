import { chainTxModule } from '../../lib/gonka/modules/chain-tx.js';
import { coldSignerOf, coldTx, resolveOperatorAccount } from '../../lib/gonka/operator-account.js';
import { defineRole, roleTasks } from '../../lib/roles/role.js';
import { guardProposal, listOpen, openFacts, proposalFacts, verifyVote } from './governance.js';
import { VoteVarsSchema, type VoteVars } from './vars.js';

const task = roleTasks(VoteVarsSchema, { chain_tx: chainTxModule });

/** The reference's gas limit for a vote (§9); votes pay no fee under v0.2.16. */
export const VOTE_GAS = 2_000_000;

const voting = (v: VoteVars): boolean => v.proposal_id !== undefined;
const needed = (v: VoteVars): boolean => v.vote_needed === true;

/**
 * Governance (reference §9): the proposals in their voting period with their tally and voting end; with
 * proposal_id and vote_option, the vote from the cold key (refused for a proposal that is closed or does not exist),
 * verified on chain, and the tally after it.
 */
export default defineRole({
  name: 'vote',
  vars: VoteVarsSchema,
  tasks: [
    { name: 'Cold account and where it signs', check_mode: false, invalidates: [], run: (_ctx, v) => resolveOperatorAccount(v) },
    { name: 'Proposals in their voting period', check_mode: false, facts: openFacts, invalidates: [], run: listOpen },
    { name: 'The proposal takes votes', when: voting, check_mode: false, facts: proposalFacts, invalidates: [], run: guardProposal },
    task.chain_tx({ name: 'Vote from the cold key', when: needed, delegate_to: coldSignerOf }, (v) => ({
      ...coldTx(v, {
        tx: ['gov', 'vote', String(v.proposal_id), v.vote_option!],
        description: `vote ${v.vote_option} on proposal ${v.proposal_id}`,
        gas: VOTE_GAS,
      }),
      // fee-free under v0.2.16 (reference §9): nothing is taken from the cold account
      gas_prices: '0ngonka',
    })),
    { name: 'Vote and tally on chain', when: (v, ctx) => needed(v) && !ctx.check, invalidates: [], run: verifyVote },
  ],
});
