import { z } from 'zod';

const UpgradeInfoSchema = z.looseObject({ name: z.string(), height: z.coerce.number(), info: z.string().default('') });
export type UpgradeInfo = z.output<typeof UpgradeInfoSchema>;

/** One finding of the diagnosis, with the evidence it was recognised by (published as `repair_diagnoses`). */
export const DiagnosisSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('halted_at_upgrade'), evidence: z.string(), upgrade: UpgradeInfoSchema }),
  z.object({ kind: z.literal('upgrade_info_present'), evidence: z.string(), upgrade: UpgradeInfoSchema }),
  z.object({ kind: z.literal('dangling_current'), evidence: z.string() }),
  z.object({ kind: z.literal('container_down'), evidence: z.string(), file: z.string(), service: z.string(), state: z.string() }),
  z.object({ kind: z.literal('disk_low'), evidence: z.string(), avail_gb: z.number() }),
  z.object({ kind: z.literal('mlnode_failed'), evidence: z.string(), node_id: z.string() }),
]);
export type Diagnosis = z.output<typeof DiagnosisSchema>;

/** Cosmovisor's data/upgrade-info.json; undefined when absent, empty or not an upgrade plan. */
export const parseUpgradeInfo = (text: string | undefined): UpgradeInfo | undefined => {
  if (!text?.trim()) return undefined;
  try {
    const parsed = UpgradeInfoSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
};
