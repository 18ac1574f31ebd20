import { z } from 'zod';
import { OperatorVarsShape } from '../../lib/gonka/operator-account.js';
import { VOTE_OPTIONS } from './proposals.js';

/** Variables of the vote role (defaults.yml holds their defaults). */
export const VoteVarsSchema = z
  .object({
    ...OperatorVarsShape,
    proposal_id: z.coerce
      .number()
      .int()
      .positive()
      .optional()
      .describe('the proposal to vote on (`-e proposal_id=7`); without it, only the list of open proposals'),
    vote_option: z
      .enum(VOTE_OPTIONS, { error: () => `must be one of ${VOTE_OPTIONS.join(', ')}` })
      .optional()
      .describe('yes, no, no_with_veto or abstain (`-e vote_option=yes`); a re-vote replaces the earlier vote'),
    vote_verify_timeout: z.coerce.number().int().positive().describe('seconds the chain may take to show the vote'),
    /** set by the proposal guard */
    vote_needed: z.boolean().optional().describe('set by nop: the vote differs from the one on chain'),
  })
  .refine((v) => (v.proposal_id === undefined) === (v.vote_option === undefined), {
    message: 'proposal_id and vote_option go together: -e proposal_id=ID -e vote_option=yes|no|no_with_veto|abstain',
    path: ['vote_option'],
  });

export type VoteVars = z.output<typeof VoteVarsSchema>;
