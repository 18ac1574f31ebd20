import { z } from 'zod';
import { deploymentVar } from '../../lib/gonka/deployment.js';
import { PocParticipationSchema } from '../../lib/gonka/poc-participation.js';

const keyName = z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only');

/** The variables of the `participation` role: the operator's choice per PoC model, and what the earlier roles set. */
export const ParticipationVarsSchema = z.object({
  inventory_hostname: z.string().min(1).describe('set by nop: the host being run'),
  groups: z.record(z.string(), z.array(z.string())).default({}).describe("set by nop: the inventory groups (cold_signer names the cold key's machine)"),
  gonka: deploymentVar('is missing: run the config role first').describe('set by the config role: the deployment (its node-config lists the models served)'),
  key_workflow: z.enum(['quick', 'secure']).describe('where the cold key signs: the server (quick) or the cold_signer host (secure)'),
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
  cold_key_name: keyName.optional().describe("the cold key's name in its keyring (keys role)"),
  gonka_keyring_password: z.string().min(8).optional().describe('the keyring password, resolved by the config role'),
  cold_keyring_dir: z.string().startsWith('/').optional().describe('secure workflow: the inferenced home on the cold signer (default ~/.inference)'),
  cold_signer_node_url: z.url().optional().describe("secure workflow: the chain RPC the cold signer broadcasts to (default: the seed node's RPC)"),
  ansible_check_mode: z.boolean().default(false).describe('set by nop: whether the run is in check mode'),
  cold_key_planned: z.boolean().optional().describe('set by the keys role in check mode: the cold key would be created'),
  hostvars: z
    .custom<Record<string, Record<string, unknown> | undefined>>((x) => typeof x === 'object' && x !== null)
    .optional()
    .describe("set by nop: every host's variables (the cold signer's cold_keyring_dir)"),
});

export type ParticipationVars = z.output<typeof ParticipationVarsSchema>;
