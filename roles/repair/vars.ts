import { z } from 'zod';
import { booleanSchema } from '../../lib/template/boolean.js';
import { DiagnosisSchema } from './diagnosis.js';

const seconds = z.coerce.number().positive();

/** Variables of the repair role (defaults.yml holds their defaults). */
export const RepairVarsSchema = z.object({
  gonka_deploy_dir: z.string().min(1),
  gonka_admin_url: z.string().url(),
  gonka_rpc_url: z.string().url(),
  mlnode_management_url: z.string().url(),
  allow_unverified: booleanSchema.default(false).describe('accept upgrade binaries whose plan publishes no sha256'),
  upgrade_platform: z.string().min(1).describe("the platform key in the upgrade plan's binaries map"),
  repair_min_free_gb: z.coerce.number().nonnegative().describe('below this many GB free beside .inference, old data-backup-* dirs are pruned'),
  repair_height_timeout: seconds,
  repair_poll_interval: seconds,
  nop_lock_file: z.string().optional(),
  /** the Diagnose task's findings */
  repair_diagnoses: z.array(DiagnosisSchema).default([]),
});

export type RepairVars = z.output<typeof RepairVarsSchema>;
