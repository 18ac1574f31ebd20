import { z } from 'zod';
import { booleanSchema } from '../../lib/template/boolean.js';

const ManifestSchema = z.object({ host: z.string(), node_id: z.string(), consensus_key: z.string(), files: z.array(z.string()) });

/** Variables of the restore role (defaults.yml holds their defaults). */
export const RestoreVarsSchema = z.object({
  gonka_deploy_dir: z.string().min(1).describe('the deploy directory on the server'),
  gonka_rpc_url: z.string().url().describe("where the server reaches its node's RPC (/status shows the node id and consensus key)"),
  backup_archive: z.string().min(1).describe('the archive to restore, on the control machine (written by backup.yml)'),
  backup_passphrase: z.string().optional().describe('the archive passphrase (asked on a terminal; never on the command line)'),
  backup_passphrase_file: z.string().optional().describe('a file on the control machine whose first line is the passphrase (/dev/stdin: read stdin)'),
  old_server_stopped: booleanSchema
    .default(false)
    .describe("confirms the backed-up server's tmkms and node are stopped for good: two servers signing with one consensus key double-sign and are slashed"),
  overwrite_identity: booleanSchema.default(false).describe('allows replacing a different node identity already on the target server'),
  restore_timeout: z.coerce.number().positive().describe('seconds to wait for /status to show the restored identity'),
  restore_poll_interval: z.coerce.number().positive().describe('seconds between two /status reads'),
  /** set by the restore task: the archive's public identity, and whether files were written */
  restore_manifest: ManifestSchema.optional().describe("set by the restore task: the archive's public identity"),
  restore_written: z.boolean().default(false).describe('set by the restore task: whether it wrote files'),
});

export type RestoreVars = z.output<typeof RestoreVarsSchema>;
