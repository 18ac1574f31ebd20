/**
 * A value marked `!unsafe` (Ansible's AnsibleUnsafeText): text that is never templated. It is a String object, so
 * it reads, compares as text and JSON-encodes like the string it holds; templating hands on its plain text
 * without rendering it (lib/template/render.ts renderValue, lib/runner/lazy-vars.ts).
 */
export class UnsafeText extends String {}

export const isUnsafe = (value: unknown): value is UnsafeText => value instanceof UnsafeText;

/** A value with every `!unsafe` string inside it turned into its plain text (for output that prints values). */
export const withoutUnsafe = (value: unknown): unknown => {
  if (isUnsafe(value)) return value.toString();
  if (Array.isArray(value)) return value.map(withoutUnsafe);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutUnsafe(v)]));
  }
  return value;
};
