import { z } from 'zod';

/**
 * Ansible's one boolean conversion (module_utils/parsing/convert_bool.py): what `-e flag=false`,
 * `k=v` task arguments, quoted YAML and role variables all go through. Strict: a value that is
 * neither true nor false is an error, never silently true.
 */
const TRUE = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const FALSE = new Set(['n', 'no', 'off', '0', 'false', 'f']);

export const BOOLEAN_HINT = 'true/false, yes/no, on/off or 1/0';

/** The boolean a value stands for, or undefined when it stands for none. */
export const asBoolean = (value: unknown): boolean | undefined => {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : undefined;
  if (typeof value !== 'string') return undefined;
  const s = value.trim().toLowerCase();
  return TRUE.has(s) ? true : FALSE.has(s) ? false : undefined;
};

/** A boolean value, or an error naming what held it. */
export const parseBoolean = (value: unknown, name: string): boolean => {
  const b = asBoolean(value);
  if (b === undefined) throw new Error(`${name}: ${JSON.stringify(value)} is not a boolean (${BOOLEAN_HINT})`);
  return b;
};

/** The zod form, for role variables, module arguments and keywords: the issue's path names the variable. */
export const booleanSchema = z.union([z.boolean(), z.string(), z.number()]).transform((value, ctx) => {
  const b = asBoolean(value);
  if (b !== undefined) return b;
  ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a boolean (${BOOLEAN_HINT})` });
  return z.NEVER;
});
