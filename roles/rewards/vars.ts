import { z } from 'zod';
import { OperatorVarsShape } from '../../lib/gonka/operator-account.js';
import { booleanSchema } from '../../lib/template/boolean.js';

/** Variables of the rewards role (defaults.yml holds their defaults). */
export const RewardsVarsSchema = z.object({
  ...OperatorVarsShape,
  rewards_epochs: z.coerce.number().int().positive().max(100).describe('how many past epochs the reward list shows'),
  rewards_claim: booleanSchema
    .default(false)
    .describe('recover the reward claim that failed: the api sends it again (POST /admin/v1/claim-reward/recover, force_claim); without it, only the list'),
  rewards_epoch: z.coerce
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe('the epoch whose claim to recover (default: the latest settled epoch, the only one the chain still pays)'),
  gonka_admin_url: z.url().describe('where the network node reaches its admin API (loopback by default)'),
  gonka_api_url: z.url().describe('where the network node reaches its public API (loopback by default)'),
  rewards_verify_timeout: z.coerce.number().int().positive().describe('seconds the chain may take to show the claim'),
  /** set by the reward list */
  rewards_claim_epoch: z.number().int().optional().describe('set by nop: the epoch whose claim is recovered'),
});

export type RewardsVars = z.output<typeof RewardsVarsSchema>;
