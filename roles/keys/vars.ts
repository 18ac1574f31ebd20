import { z } from 'zod';
import { booleanSchema } from '../../lib/template/boolean.js';
import { AbsolutePathSchema, KeyringPasswordSchema } from '../../lib/gonka/value-schemas.js';

const KeyringSchema = z.object({ home: z.string(), image: z.string().optional() });

/** Where each key lives, computed by the role's first task (the later tasks declare their facts from it). */
const KeyPlacesSchema = z.object({
  cold: z.object({ name: z.string(), keyring: KeyringSchema, mnemonic_file: z.string() }),
  warm: z.object({ name: z.string(), keyring: KeyringSchema }),
});

export type KeyPlaces = z.output<typeof KeyPlacesSchema>;

const keyName = z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only');

export const KEY_WORKFLOWS = ['quick', 'secure'] as const;

/**
 * The variables of the `keys` role. The warm key's default name is config's (`<host>-warm`), so the
 * KEY_NAME config.env gets is the key this role created.
 */
export const KeysVarsSchema = z.object({
  inventory_hostname: z.string().min(1).describe("set by nop: the host's inventory name"),
  groups: z
    .record(z.string(), z.array(z.string()))
    .default({})
    .describe("set by nop: the inventory's groups (cold_signer names the secure workflow's signing machine)"),
  gonka_deploy_dir: AbsolutePathSchema.describe('the directory the Gonka files are rendered into (the keyring lives below it)'),
  key_workflow: z
    .enum(KEY_WORKFLOWS)
    .default('quick')
    .describe('quick: both keys on the server; secure: the cold key on the cold_signer host, never on the server'),
  key_name: keyName.optional().describe('the warm (ML operational) key, in the keyring the api container mounts'),
  cold_key_name: keyName.optional().describe('the cold (account) key'),
  keyring_password: KeyringPasswordSchema.optional().describe('the keyring password (at least 8 characters); or keyring_password_file'),
  keyring_password_file: z.string().min(1).optional().describe('a file on the controller holding the keyring password (first line)'),
  cold_keyring_dir: AbsolutePathSchema.optional().describe("secure workflow: the inferenced home on the cold signer (default: inferenced's own, ~/.inference)"),
  cold_mnemonic_file: AbsolutePathSchema.optional().describe(
    "where the cold key's mnemonic is written (0600) when the key is created; absolute, on the host holding the key",
  ),
  cold_mnemonic_kept_by_operator: booleanSchema
    .default(false)
    .describe(
      "The operator keeps the cold key's backup (its mnemonic) themselves: an existing cold key is used although no mnemonic file is there (e.g. once it was copied offline and deleted). Without it, a cold key whose mnemonic is not stored stops the role.",
    ),
  gonka_versions_overrides: z.record(z.string(), z.unknown()).default({}).describe('keys of data/versions.yml to replace (image tags)'),
  gonka_keys: KeyPlacesSchema.optional().describe('published by the first task'),
  gonka_keyring_password: z
    .string()
    .optional()
    .describe('published by the first task, from keyring_password or keyring_password_file (a name the runner redacts)'),
});

export type KeysVars = z.output<typeof KeysVarsSchema>;
