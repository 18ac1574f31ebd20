import { z } from 'zod';
import { booleanSchema } from '../../lib/template/boolean.js';

/** Variables of the backup role (defaults.yml holds their defaults). */
export const BackupVarsSchema = z.object({
  inventory_hostname: z.string().describe('set by nop: the host being backed up (names its archive)'),
  gonka_deploy_dir: z.string().min(1).describe('the deploy directory on the server'),
  backup_dir: z.string().min(1).describe('where the archives go, on the control machine (created 0700; each archive 0600)'),
  backup_api_state: booleanSchema.default(false).describe('also .dapi/api-config.yaml and .dapi/gonka.db (the api is paused while they are read)'),
  backup_passphrase: z.string().optional().describe('the archive passphrase (asked on a terminal; never on the command line)'),
  backup_passphrase_file: z.string().optional().describe('a file on the control machine whose first line is the passphrase (/dev/stdin: read stdin)'),
  backup_kdf_cost: z.coerce
    .number()
    .int()
    .min(14)
    .max(20)
    .describe("scrypt's cost as log2 N (17: 128 MiB and about a second per try; each step up doubles both)"),
  cold_key_name: z.string().optional().describe('the cold key, left out of the archive even when it is in the server keyring (quick workflow)'),
});

export type BackupVars = z.output<typeof BackupVarsSchema>;
