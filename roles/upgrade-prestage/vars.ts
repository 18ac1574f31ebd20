import { z } from 'zod';
import { UpgradePlanSchema } from '../../lib/gonka/upgrade-plan.js';
import { AbsolutePathSchema } from '../../lib/gonka/value-schemas.js';
import { booleanSchema } from '../../lib/template/boolean.js';

const Sha256Schema = z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected a sha256: 64 hex digits');

const StagedBinarySchema = z.object({
  binary: z.enum(['inferenced', 'decentralized-api']),
  url: z.string(),
  zip_sha256: z.string(),
  binary_sha256: z.string(),
  dir: z.string(),
  release: z.string().optional(),
});

/** Variables of the upgrade-prestage role (defaults.yml holds their defaults). */
export const UpgradePrestageVarsSchema = z.object({
  gonka_deploy_dir: AbsolutePathSchema.describe('the deploy directory on the network node (.inference and .dapi under it)'),
  upgrade: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'an upgrade plan name: letters, digits, . _ -')
    .optional()
    .describe('the upgrade plan to pre-stage (its name, e.g. v0.2.16); default: the approved upgrade still ahead of the chain'),
  upgrade_binary_sha256: z
    .object({ inferenced: Sha256Schema.optional(), 'decentralized-api': Sha256Schema.optional() })
    .default({})
    .describe("the unpacked binaries' sha256, from the release announcement (the plan carries only the zips' sums)"),
  upgrade_platform: z.string().min(1).describe("the plan's platform key of the binaries (info.binaries[…])"),
  upgrade_allow_cpu_without_adx: booleanSchema
    .default(false)
    .describe('stage binaries that need ADX on a CPU without it (only for operators who replace them with portable builds)'),
  gonka_rpc_url: z.url().describe("the node's CometBFT RPC on the server: its height says which upgrades are still ahead"),
  /** set by the plan task */
  upgrade_prestage_binaries: z.array(StagedBinarySchema).optional().describe('set by nop: the binaries of the chosen upgrade'),
  upgrade_prestage_plan: UpgradePlanSchema.optional().describe('set by nop: the chosen upgrade plan'),
});

export type UpgradePrestageVars = z.output<typeof UpgradePrestageVarsSchema>;
