import { overlayVars } from '../template/overlay.js';
import { PyFloat } from '../template/py-float.js';
import { RAW_VALUE, rawValueOf } from '../template/raw-value.js';
import { renderValue } from '../template/render.js';
import { isUnsafe } from '../template/unsafe.js';

type Vars = Record<string, unknown>;

const isPlainObject = (v: unknown): v is Vars => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/** Variables that refer to each other in a loop (`a: "{{ b }}"`, `b: "{{ a }}"`): names the whole cycle. */
export class RecursiveVariableError extends Error {
  constructor(readonly cycle: string[]) {
    super(`recursive loop detected in variables: ${cycle.join(' → ')}`);
    this.name = 'RecursiveVariableError';
  }
}

// each lazy scope's raw variables, so a scope can be extended into a new one (a loop's item)
const rawOf = new WeakMap<Vars, Vars>();

/**
 * Variables whose values may themselves be templates (`url: "http://{{ host }}:{{ port }}"`),
 * rendered when read, as Ansible does: a variable that is never used never has to resolve.
 */
export const lazyVars = (raw: Vars): Vars => {
  // the variables being rendered, in order: the chain a cycle is reported with
  const resolving: string[] = [];
  const wrap = (value: unknown, path: string, root: Vars): unknown => {
    // `!unsafe`: read as its plain text and never rendered (what a template makes of it is not rendered again)
    if (isUnsafe(value)) return value.toString();
    if (typeof value === 'string' && value.includes('{{')) {
      const at = resolving.indexOf(path);
      if (at >= 0) throw new RecursiveVariableError([...resolving.slice(at), path]);
      resolving.push(path);
      try {
        return renderValue(value, root);
      } finally {
        resolving.pop();
      }
    }
    if (isPlainObject(value)) return objectProxy(value, path, root);
    if (Array.isArray(value) && value.some((v) => (typeof v === 'string' && v.includes('{{')) || isPlainObject(v) || isUnsafe(v))) {
      return value.map((v, i) => wrap(v, `${path}[${i}]`, root));
    }
    return value;
  };
  const objectProxy = (target: Vars, prefix: string, root: Vars): Vars =>
    new Proxy(target, {
      get: (t, key) => (typeof key === 'string' && Object.hasOwn(t, key) ? wrap(t[key], prefix ? `${prefix}.${key}` : key, root) : Reflect.get(t, key)),
    });
  const root: Vars = new Proxy(raw, {
    get: (t, key) => {
      if (key === RAW_VALUE) return (name: string) => rawValueOf(t, name);
      return typeof key === 'string' && Object.hasOwn(t, key) ? wrap(t[key], key, root) : Reflect.get(t, key);
    },
  });
  rawOf.set(root, raw);
  return root;
};

/**
 * The same variables with `extra` over them, as one lazy scope: a variable's template sees `extra`
 * too (a task var naming the loop's `item`), and nothing is rendered before it is read.
 */
export const extendVars = (vars: Vars, extra: Vars): Vars => {
  const raw = rawOf.get(vars);
  return raw ? lazyVars(overlayVars(raw, extra)) : overlayVars(vars, extra);
};

/** A fully rendered, plain copy (for output such as `debug var=` or state that leaves the process). */
export const materialize = (value: unknown): unknown => {
  if (value instanceof PyFloat) return value;
  if (Array.isArray(value)) return value.map(materialize);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.keys(value).map((k) => [k, materialize((value as Vars)[k])]));
  return value;
};
