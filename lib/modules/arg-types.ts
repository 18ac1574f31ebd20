import { z } from 'zod';
import { booleanSchema } from '../template/boolean.js';
import { isSymbolicMode } from './symbolic-mode.js';

/** A boolean as Ansible takes it: `true`, or the strings `yes`/`no` that `key=value` task lines produce. */
export const boolArg = booleanSchema;

/** A non-negative integer, also from a numeric string (`timeout=30`). */
export const intArg = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .regex(/^\d+$/, 'must be a non-negative integer')
    .transform((s) => Number(s)),
]);

/** A mode as a task gives it: the number itself, or a symbolic mode applied to the path's current one. */
export type ModeSpec = number | string;

/**
 * `mode:` as Ansible takes it: a number (`0644` in YAML 1.1 is octal; `0o644` in TypeScript), an octal
 * string ('0644', '644', '0o644'), or a symbolic mode ('u=rw,g=r,o=', 'u+x'), kept as written.
 */
export const modeArg = z.union([z.number(), z.string()]).transform((value, ctx): ModeSpec => {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value <= 0o7777) return value;
    ctx.addIssue({ code: 'custom', message: `mode ${value} is not a file mode (0 to 07777)` });
    return z.NEVER;
  }
  const s = value.trim();
  if (/^(?:0o?)?[0-7]{1,4}$/.test(s)) return Number.parseInt(s.replace(/^0o/, ''), 8);
  if (isSymbolicMode(s)) return s;
  ctx.addIssue({ code: 'custom', message: `mode ${JSON.stringify(value)} must be octal (such as "0644") or symbolic (such as "u=rw,g=r,o=")` });
  return z.NEVER;
});

/** `0o644` → `'0644'`, the way Ansible reports modes. */
export const formatMode = (mode: number): string => mode.toString(8).padStart(4, '0');

/** One string or a list of them, always returned as a list. */
export const listArg = z.union([
  z
    .string()
    .min(1)
    .transform((s) => [s]),
  z.array(z.string().min(1)),
]);
