import { z } from 'zod';
import { deploymentVar } from '../../lib/gonka/deployment.js';
import { PocParticipationSchema } from '../../lib/gonka/poc-participation.js';

const keyName = z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only');

/** The variables of the `participation` role: the operator's choice per PoC model, and what the earlier roles set. */
export const ParticipationVarsSchema = z.object({
  inventory_hostname: z.string().min(1),
  groups: z.record(z.string(), z.array(z.string())).default({}),
  gonka: deploymentVar('is missing: run the config role first'),
  key_workflow: z.enum(['quick', 'secure']),
  poc_participation: PocParticipationSchema.describe(
    'for each live PoC model this server does not serve: `refuse`, or the gonka1… address of a participant to delegate it to; ' +
      'one value for all, or a map model_id → choice (`"*"`: every model not named). Recorded on chain from the cold key. ' +
      "No default: doing nothing costs 0.15 of the model's weight per epoch (asked on a terminal when unset)",
  ),
  participation_verify_timeout: z.coerce.number().int().positive().describe('seconds a recorded choice may take to show on chain'),
  account_pubkey: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=?$|^[A-Za-z0-9+/]{44}$/, 'expected a base64 secp256k1 public key')
    .optional()
    .describe("the cold account's base64 public key (keys role)"),
  cold_key_name: keyName.optional(),
  gonka_keyring_password: z.string().min(8).optional().describe('the keyring password, resolved by the config role'),
  cold_keyring_dir: z.string().startsWith('/').optional(),
  cold_signer_node_url: z.url().optional(),
  ansible_check_mode: z.boolean().default(false),
  cold_key_planned: z.boolean().optional(),
  hostvars: z.custom<Record<string, Record<string, unknown> | undefined>>((x) => typeof x === 'object' && x !== null).optional(),
});

export type ParticipationVars = z.output<typeof ParticipationVarsSchema>;
