import { z } from 'zod';

const TRUE = new Set(['yes', 'true', 'on', '1', 'y']);
const FALSE = new Set(['no', 'false', 'off', '0', 'n']);

/** A boolean as Ansible takes it: `true`, or the strings `yes`/`no` that `key=value` task lines produce. */
export const boolArg = z.union([
  z.boolean(),
  z
    .string()
    .refine((s) => TRUE.has(s.toLowerCase()) || FALSE.has(s.toLowerCase()), 'must be a boolean (true/false, yes/no)')
    .transform((s) => TRUE.has(s.toLowerCase())),
]);

/** A non-negative integer, also from a numeric string (`timeout=30`). */
export const intArg = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .regex(/^\d+$/, 'must be a non-negative integer')
    .transform((s) => Number(s)),
]);

/**
 * `mode:` as an octal string ('0644', '755') or the mode itself as a number (0o644 in TypeScript).
 * Write it quoted in YAML: YAML 1.2 reads a bare 0644 as decimal 644.
 */
export const modeArg = z.union([
  z
    .string()
    .regex(/^0?[0-7]{3,4}$/, 'mode must be an octal string such as "0644"')
    .transform((s) => parseInt(s, 8)),
  z.number().int().min(0).max(0o7777),
]);

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
