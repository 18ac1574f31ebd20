import { z } from 'zod';
import { booleanSchema } from '../../lib/template/boolean.js';

const BackupSchema = z.object({ name: z.string(), path: z.string(), bytes: z.number(), mtime: z.number() });

/** Variables of the disk role (defaults.yml holds their defaults). */
export const DiskVarsSchema = z.object({
  gonka_deploy_dir: z.string().min(1).describe('the deploy directory on the server'),
  data_backups_keep: z.coerce.number().int().min(1).describe("how many of Cosmovisor's newest data-backup-* dirs each daemon home keeps"),
  prune_data_backups: booleanSchema.default(false).describe('allows removing the older data-backup-* dirs (without it the run lists them and refuses)'),
  application_db_warn_gb: z.coerce
    .number()
    .positive()
    .describe('above this size application.db is reported too large, with the pruning settings that keep it small'),
  /** the data-backup-* dirs the usage task found to remove */
  disk_prune_plan: z.array(BackupSchema).default([]).describe('set by the usage task: the data-backup dirs to remove'),
});

export type DiskVars = z.output<typeof DiskVarsSchema>;
