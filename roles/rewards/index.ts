import { resolveOperatorAccount } from '../../lib/gonka/operator-account.js';
import { defineRole } from '../../lib/roles/role.js';
import { epochFacts, recoverClaim, showRewards, verifyClaimed } from './rewards-state.js';
import { RewardsVarsSchema, type RewardsVars } from './vars.js';

const claiming = (v: RewardsVars): boolean => v.rewards_claim_epoch !== undefined;

/**
 * Rewards (reference §18, §11 step 4): each recent epoch's reward and whether it was claimed; with rewards_claim: true,
 * the recovery of a failed claim (the api sends it again), refused when it cannot help, verified on chain.
 */
export default defineRole({
  name: 'rewards',
  vars: RewardsVarsSchema,
  tasks: [
    { name: 'Cold account and where it signs', check_mode: false, invalidates: [], run: (_ctx, v) => resolveOperatorAccount(v) },
    { name: 'Rewards per epoch', check_mode: false, facts: epochFacts, invalidates: [], run: showRewards },
    { name: 'Recover the claim through the api', when: claiming, check_mode: false, invalidates: [], run: recoverClaim },
    { name: 'Reward claimed on chain', when: (v, ctx) => claiming(v) && !ctx.check, invalidates: [], run: verifyClaimed },
  ],
});
