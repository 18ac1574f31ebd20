/**
 * Python's float. JavaScript has one number type; Python prints `4/2` as `2.0` and `2` as `2`. A number that
 * is not an integer can only be a float, so only a float with an integral value (`2.0`, `1e3`, YAML's `1.0`)
 * needs marking: it is a PyFloat in templates and variables (a fact set to `{{ [4 / 2] }}` prints `[2.0]`
 * later), and becomes a plain number where nop's own code takes it: module arguments and role variables
 * (lib/modules/converted-args.ts). Its valueOf makes arithmetic and ordering see the number.
 */
export class PyFloat {
  constructor(readonly value: number) {}
  // arithmetic and ordering (`<`, Number(x)) see the number
  valueOf(): number {
    return this.value;
  }
  toJSON(): number {
    return this.value;
  }
  toString(): string {
    return floatRepr(this.value);
  }
}

/** A float result: marked when its value is integral (anything else already reads as a float). */
export const pyFloat = (n: number): number | PyFloat => (Number.isInteger(n) ? new PyFloat(n) : n);

/** Python's `isinstance(v, float)`. */
export const isFloat = (v: unknown): boolean => v instanceof PyFloat || (typeof v === 'number' && !Number.isInteger(v));

/** An int or a float. */
export const isNumber = (v: unknown): v is number | PyFloat => typeof v === 'number' || v instanceof PyFloat;

/** The plain number of an int or a float; anything else as it is. */
export const plainNumber = (v: unknown): unknown => (v instanceof PyFloat ? v.value : v);

/** An arithmetic result of these operands: a float when either is one, as in Python. */
export const numberResult = (n: number, ...operands: unknown[]): number | PyFloat => (operands.some(isFloat) ? pyFloat(n) : n);

/** Python's repr() of a float: the shortest digits that read back, in exponent form below 1e-4 and from 1e16. */
export const floatRepr = (n: number): string => {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const [mantissa, exp] = n.toExponential().split('e');
  const e = Number(exp);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  if (e < -4 || e >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  const whole = digits.slice(0, e + 1).padEnd(e + 1, '0');
  const frac = digits.slice(e + 1);
  return `${sign}${whole}.${frac || '0'}`;
};

/** Python's repr() of an int or a float. */
export const numberRepr = (v: number | PyFloat): string => {
  if (isFloat(v)) return floatRepr(Number(v));
  const n = Number(v);
  return Number.isFinite(n) && Math.abs(n) >= 1e21 ? BigInt(n).toString() : String(n);
};
