import type { z } from 'zod';

type Def = { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; in?: z.ZodType; element?: z.ZodType; options?: z.ZodType[] };

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

// the schemas a value at this point may be checked against, wrappers (optional, default, pipe…) looked through
const candidates = (schema: z.ZodType): z.ZodType[] => {
  const def = defOf(schema);
  if (def.innerType) return candidates(def.innerType);
  if (def.type === 'pipe' && def.in) return candidates(def.in);
  if (def.type === 'union' && def.options) return def.options.flatMap(candidates);
  return [schema];
};

/**
 * The keys an object schema takes at a path of the value it checks (`[0, 'tasks']`…): what a misspelt key can be
 * compared with. Empty when the path leads to no object schema.
 */
export const objectKeysAt = (schema: z.ZodType, path: readonly PropertyKey[]): string[] => {
  let level = candidates(schema);
  for (const part of path) {
    level = level.flatMap((s) => {
      const def = defOf(s);
      if (typeof part === 'number') return def.type === 'array' && def.element ? candidates(def.element) : [];
      const child = def.type === 'object' ? def.shape?.[String(part)] : undefined;
      return child ? candidates(child) : [];
    });
  }
  return [...new Set(level.flatMap((s) => (defOf(s).type === 'object' ? Object.keys(defOf(s).shape ?? {}) : [])))];
};
