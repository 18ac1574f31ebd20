import { z } from 'zod';
import { OperatorVarsShape } from '../../lib/gonka/operator-account.js';

/** Variables of the unjail role (defaults.yml holds their defaults). */
export const UnjailVarsSchema = z.object({
  ...OperatorVarsShape,
  gonka_rpc_url: z.url().describe("the node's CometBFT RPC on the server: /status says whether it is still catching up"),
  unjail_verify_timeout: z.coerce.number().int().positive().describe('seconds the chain may take to show the validator unjailed'),
  /** set by the jail check */
  unjail_needed: z.boolean().optional().describe('set by nop: the validator is jailed and an unjail would hold'),
});

export type UnjailVars = z.output<typeof UnjailVarsSchema>;
