import { z } from 'zod';
import { booleanSchema } from '../../lib/template/boolean.js';
import { DiagnosisSchema } from './diagnosis.js';

const seconds = z.coerce.number().positive();

/** Variables of the repair role (defaults.yml holds their defaults). */
export const RepairVarsSchema = z.object({
  gonka_deploy_dir: z.string().min(1).describe('the directory the Gonka files were rendered into'),
  gonka_admin_url: z.string().url().describe("where the network node's admin API is reached (loopback by default)"),
  gonka_rpc_url: z.string().url().describe("where the chain's RPC is reached (loopback by default)"),
  mlnode_management_url: z.string().url().describe("where the ML node's management API is reached (loopback by default)"),
  allow_unverified: booleanSchema.default(false).describe('accept upgrade binaries whose plan publishes no sha256'),
  upgrade_platform: z.string().min(1).describe("the platform key in the upgrade plan's binaries map"),
  repair_min_free_gb: z.coerce.number().nonnegative().describe('below this many GB free beside .inference, old data-backup-* dirs are pruned'),
  repair_height_timeout: seconds.describe('seconds a repaired node may take to produce a new block height'),
  repair_poll_interval: seconds.describe('seconds between two looks at a repair in progress'),
  nop_lock_file: z
    .string()
    .optional()
    .describe('the day-2 run lock on the machine running nop (default ~/.nop/locks/gonka-day2.lock), shared with `nop cron` runs'),
  repair_diagnoses: z.array(DiagnosisSchema).default([]).describe("set by the repair role: the Diagnose task's findings"),
});

export type RepairVars = z.output<typeof RepairVarsSchema>;
