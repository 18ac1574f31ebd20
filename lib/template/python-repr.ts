/**
 * How Python (and so Ansible's Jinja2) prints values: `True`, `None`, `['a', 'b']`, `{'k': 1}`. A template's
 * output and a string built from a list are compared byte for byte with Ansible's.
 */
import { isNumber, numberRepr } from './py-float.js';

const reprString = (s: string): string => {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
};

/** A Python tuple (`dict.items()` pairs, `(a, b)`): a list that prints with parentheses. */
export class PyTuple extends Array<unknown> {}

export const tuple = (...items: unknown[]): PyTuple => {
  const t = new PyTuple();
  t.push(...items);
  return t;
};

/** Python's repr() of a value. */
export const pyRepr = (v: unknown): string => {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return reprString(v);
  if (isNumber(v)) return numberRepr(v);
  if (v instanceof PyTuple) return v.length === 1 ? `(${pyRepr(v[0])},)` : `(${[...v].map(pyRepr).join(', ')})`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object')
    return `{${Object.keys(v)
      .map((k) => `${reprString(k)}: ${pyRepr((v as Record<string, unknown>)[k])}`)
      .join(', ')}}`;
  return String(v);
};

/** Python's str() of a value: a string as it is, anything else as its repr. */
export const pyStr = (v: unknown): string => (typeof v === 'string' ? v : pyRepr(v));

/** What a `{{ }}` prints: Ansible's finalize turns None into the empty string, the rest is str(). */
export const outputOf = (v: unknown): string => (v === null || v === undefined ? '' : pyStr(v));
