import { floatRepr, PyFloat } from '../template/py-float.js';

/**
 * JSON.stringify with floats as Ansible's callbacks print them (json.dumps: Python's repr, `2.0`, `1e+20`,
 * `1.5e-07`): a whole-valued float is a PyFloat (lib/template/py-float.ts) that JSON alone would print as `2`.
 * Still JSON: a float's repr is a JSON number; NaN and the infinities stay JSON's null.
 */
export const pythonJson = (value: unknown, space?: number): string => {
  const token = `@@nop-float-${process.hrtime.bigint()}@@`;
  // the replacer sees a PyFloat after its toJSON: it is read from its holder
  const replacer = function (this: Record<string, unknown>, key: string, v: unknown): unknown {
    const raw = this[key];
    const float = raw instanceof PyFloat ? raw.value : typeof v === 'number' && !Number.isInteger(v) ? v : undefined;
    return float === undefined || !Number.isFinite(float) ? v : `${token}${floatRepr(float)}`;
  };
  return JSON.stringify(value, replacer, space).replaceAll(new RegExp(`"${token}([^"]*)"`, 'g'), '$1');
};
