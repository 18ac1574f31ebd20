import { z } from 'zod';
import { deploymentVar } from '../../lib/gonka/deployment.js';
import { coldKeyName } from '../../lib/gonka/key-names.js';

const keyName = z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only');

/** The variables of the `register` role: the keys role's and config role's results, and the deploy role's consensus key. */
export const RegisterVarsSchema = z.object({
  inventory_hostname: z.string().min(1).describe("set by nop: the host's inventory name"),
  groups: z.record(z.string(), z.array(z.string())).default({}).describe("set by nop: every group's hosts (the cold signer is found in cold_signer)"),
  gonka_deploy_dir: z.string().startsWith('/').describe('the directory the Gonka files are rendered into'),
  gonka: deploymentVar('is missing: run the config role first').describe('set by the config role: the deployment computed from the variables'),
  key_workflow: z.enum(['quick', 'secure']).describe('quick: every key on the server; secure: the cold (account) key stays on the cold signer'),
  account_pubkey: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=?$|^[A-Za-z0-9+/]{44}$/, 'expected a base64 secp256k1 public key')
    .optional()
    .describe("the cold account's base64 public key (keys role); absent only in check mode before the keys role created the key"),
  consensus_key: z.string().min(1).optional().describe("the validator's consensus key (deploy role, read back from tmkms)"),
  cold_key_name: keyName.optional().describe('the cold (account) key name in the keyring (default: <host>-cold)'),
  warm_key_address: z
    .string()
    .regex(/^gonka1[02-9ac-hj-np-z]{38}$/, 'expected a gonka1… address (keys role)')
    .optional()
    .describe("set by the keys role: the warm (ML operational) key's gonka1… address"),
  gonka_keyring_password: z.string().min(8).optional().describe('the keyring password, resolved by the config role'),
  cold_keyring_dir: z.string().startsWith('/').optional().describe('secure workflow: the inferenced home on the cold signer (default ~/.inference)'),
  cold_signer_node_url: z.url().optional().describe("secure workflow: the chain RPC the cold signer broadcasts the grant to (default: the seed node's RPC)"),
  register_verify_timeout: z.coerce.number().int().positive().describe('seconds a registration or a grant may take to show on chain'),
  cold_fee_reserve_ngonka: z.coerce
    .number()
    .int()
    .nonnegative()
    .describe("ngonka the cold account keeps beyond the grant's fee: the node's duty transactions draw on it through the fee grant"),
  gonka_gas_price: z.string().optional().describe("the chain's gas price (fact of the funding check), `''` when the chain charges no fees"),
  ml_ops_granted: z.boolean().optional().describe("set by nop: whether the cold key's grant to the warm key is on chain (fact of the grant check)"),
  ansible_check_mode: z.boolean().default(false).describe('set by nop: whether the run is in check mode'),
  cold_key_planned: z.boolean().optional().describe('set by the keys role in check mode: the cold key would be created (its value is known after apply)'),
  warm_key_planned: z.boolean().optional().describe('set by the keys role in check mode: the warm key would be created (its value is known after apply)'),
  hostvars: z
    .custom<Record<string, Record<string, unknown> | undefined>>((x) => typeof x === 'object' && x !== null)
    .optional()
    .describe("set by nop: every host's variables (the cold signer's own settings, its cold_keyring_dir, are its host variables)"),
});

export type RegisterVars = z.output<typeof RegisterVarsSchema>;

/** The keys role's default cold key name, when its fact is not there. */
export const coldKeyNameOf = (v: RegisterVars): string => coldKeyName(v);

/** The keys are only planned (check mode before the keys role created them): their values are known after apply. */
export const keysPlanned = (v: RegisterVars): boolean =>
  v.ansible_check_mode && ((!v.warm_key_address && v.warm_key_planned === true) || (!v.account_pubkey && v.cold_key_planned === true));
