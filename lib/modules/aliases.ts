import type { ModuleDefinition } from './module.js';

/** The arguments under their canonical names, and where each one came from (the alias the task wrote). */
export interface CanonicalArgs {
  args: unknown;
  /** canonical name → the alias the task used for it */
  writtenAs: Map<string, string>;
}

export class AliasConflictError extends Error {
  constructor(
    readonly alias: string,
    readonly canonical: string,
    other: string,
  ) {
    super(`'${alias}' and '${other}' are the same argument ('${canonical}'): give one`);
    this.name = 'AliasConflictError';
  }
}

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Ansible's other names for a module's arguments (`dest` or `name` for `path`), folded into the canonical name
 * before the arguments are checked. Two names for one argument in one task is an error (Ansible takes the alias
 * with a warning; a task that says two things is refused here).
 */
export const canonicalArgs = (def: Pick<ModuleDefinition, 'aliases'>, raw: unknown): CanonicalArgs => {
  const writtenAs = new Map<string, string>();
  if (!def.aliases || !isMapping(raw)) return { args: raw, writtenAs };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const canonical = def.aliases[key] ?? key;
    if (Object.hasOwn(out, canonical)) throw new AliasConflictError(key, canonical, writtenAs.get(canonical) ?? canonical);
    out[canonical] = value;
    if (canonical !== key) writtenAs.set(canonical, key);
  }
  return { args: out, writtenAs };
};
