import { renderValue, UndefinedVariableError } from '../template/render.js';

type Vars = Record<string, unknown>;

const isPlainObject = (v: unknown): v is Vars => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/**
 * Variables whose values may themselves be templates (`url: "http://{{ host }}:{{ port }}"`),
 * rendered when read, as Ansible does: a variable that is never used never has to resolve.
 */
export const lazyVars = (raw: Vars): Vars => {
  const resolving = new Set<string>();
  const wrap = (value: unknown, path: string, root: Vars): unknown => {
    if (typeof value === 'string' && value.includes('{{')) {
      if (resolving.has(path)) throw new UndefinedVariableError(`${path} (it refers to itself)`, value);
      resolving.add(path);
      try {
        return renderValue(value, root);
      } finally {
        resolving.delete(path);
      }
    }
    if (isPlainObject(value)) return objectProxy(value, path, root);
    if (Array.isArray(value) && value.some((v) => (typeof v === 'string' && v.includes('{{')) || isPlainObject(v))) {
      return value.map((v, i) => wrap(v, `${path}[${i}]`, root));
    }
    return value;
  };
  const objectProxy = (target: Vars, prefix: string, root: Vars): Vars =>
    new Proxy(target, {
      get: (t, key) => (typeof key === 'string' && Object.hasOwn(t, key) ? wrap(t[key], prefix ? `${prefix}.${key}` : key, root) : Reflect.get(t, key)),
    });
  const root: Vars = new Proxy(raw, {
    get: (t, key) => (typeof key === 'string' && Object.hasOwn(t, key) ? wrap(t[key], key, root) : Reflect.get(t, key)),
  });
  return root;
};

/** A fully rendered, plain copy (for output such as `debug var=` or state that leaves the process). */
export const materialize = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(materialize);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.keys(value).map((k) => [k, materialize((value as Vars)[k])]));
  return value;
};
