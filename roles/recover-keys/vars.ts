import { z } from 'zod';
import { OperatorVarsShape } from '../../lib/gonka/operator-account.js';

const keyName = z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only');

/** Variables of the recover-keys role (defaults.yml holds their defaults). */
export const RecoverKeysVarsSchema = z.object({
  ...OperatorVarsShape,
  key_name: keyName.optional().describe("the warm (ML operational) key's name, config.env's KEY_NAME (default <host>-warm)"),
  gonka_versions_overrides: z.record(z.string(), z.unknown()).default({}).describe('image overrides (the api image runs inferenced on the keyring)'),
  gonka_rpc_url: z.url().describe("the node's CometBFT RPC on the server: /status shows the key tmkms signs with"),
  recover_fee_reserve_ngonka: z.coerce
    .number()
    .int()
    .min(0)
    .describe("ngonka the cold account must hold beyond the grant's fee: the new warm key's transactions are paid from it (the fee grant)"),
  recover_verify_timeout: z.coerce.number().int().positive().describe('seconds tmkms and the chain may take to show a recovered key'),
  recover_keyring: z
    .object({ home: z.string(), image: z.string().optional() })
    .optional()
    .describe("set by nop: the server keyring (the deploy dir's .inference, through the api image)"),
  /** set by the detection task */
  recover_warm_lost: z.boolean().optional().describe('set by nop: the warm key is missing from the keyring'),
  recover_consensus: z.enum(['lost', 'reset', '']).optional().describe('set by nop: the consensus key is lost (no tmkms key) or reset (not the one on chain)'),
  recover_public_url: z.string().optional().describe("set by nop: the participant's inference URL on chain (kept when re-registering)"),
  recover_warm_address: z.string().optional().describe('set by nop: the recreated warm key'),
  consensus_key: z.string().optional().describe("set by nop: tmkms's consensus key to register"),
});

export type RecoverKeysVars = z.output<typeof RecoverKeysVarsSchema>;
