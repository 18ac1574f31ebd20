import { z } from 'zod';

// The shape of Ansible's YAML inventory. Where Ansible accepts a single name instead of a
// mapping (`hosts: web1`, `children: gpu`), so do we.

const nameToMapping = (v: unknown): unknown => (typeof v === 'string' ? { [v]: null } : v);

export const inventoryVarsSchema = z.record(z.string(), z.unknown(), { error: 'must be a mapping of variable names to values' });

const hostsSchema = z.preprocess(
  nameToMapping,
  z.record(z.string(), inventoryVarsSchema.nullable(), { error: 'must be a mapping of host names to their variables (or null)' }).nullable(),
);

export interface InventoryGroupDoc {
  hosts?: Record<string, Record<string, unknown> | null> | null;
  vars?: Record<string, unknown> | null;
  children?: Record<string, InventoryGroupDoc | null> | null;
}

export const inventoryGroupSchema: z.ZodType<InventoryGroupDoc> = z.lazy(() =>
  z.strictObject(
    {
      hosts: hostsSchema.optional(),
      vars: inventoryVarsSchema.nullable().optional(),
      children: z
        .preprocess(
          nameToMapping,
          z.record(z.string(), inventoryGroupSchema.nullable(), { error: 'must be a mapping of group names to groups (or null)' }).nullable(),
        )
        .optional(),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : 'a group must be a mapping with hosts, vars and children') },
  ),
);

export const yamlInventorySchema = z.record(z.string(), inventoryGroupSchema.nullable(), {
  error: 'a YAML inventory must be a mapping of group names (usually just `all`) to groups',
});
