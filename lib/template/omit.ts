import { randomBytes } from 'node:crypto';

/** Ansible's `omit`: a placeholder that, as a module argument's whole value, leaves the argument out. */
export const OMIT = `__omit_place_holder__${randomBytes(20).toString('hex')}`;

/** A module's rendered arguments without those set to `{{ omit }}`. */
export const withoutOmitted = (args: unknown): unknown => {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return args;
  return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== OMIT));
};
