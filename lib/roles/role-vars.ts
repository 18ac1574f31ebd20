import type { z } from 'zod';

/** A role's schema is an object, perhaps refined or piped: its fields are those of the object inside. */
export const roleVarFields = (schema: z.ZodType): Record<string, z.ZodType> => {
  // a compiled role may bring its own validator (anything with safeParse): it has no fields to read
  const def = (schema as unknown as { _zod?: { def: { shape?: Record<string, z.ZodType>; in?: z.ZodType; innerType?: z.ZodType } } })._zod?.def;
  if (!def) return {};
  if (def.shape) return def.shape;
  const inner = def.in ?? def.innerType;
  return inner ? roleVarFields(inner) : {};
};

/**
 * The convention that marks a role variable nobody gives: its description starts with "set by" (nop's magic
 * variables, what a role's earlier tasks publish for its later ones). The variables reference shows it so, and
 * the check before the run does not ask for it, since it exists only once the run has reached that task.
 */
export const isSetByRun = (field: z.ZodType | undefined): boolean => /^set by /.test(descriptionThrough(field) ?? '');

const descriptionThrough = (schema: z.ZodType | undefined): string | undefined => {
  if (!schema) return undefined;
  if (schema.description) return schema.description;
  const def = (schema as unknown as { _zod?: { def: { type: string; innerType?: z.ZodType; in?: z.ZodType } } })._zod?.def;
  if (!def) return undefined;
  return descriptionThrough(def.innerType ?? (def.type === 'pipe' ? def.in : undefined));
};
