import { RAW_VALUE, rawValueOf } from './raw-value.js';

type Vars = Record<string, unknown>;

/**
 * `base` with `top`'s keys over it, without reading any of `base`'s values: spreading lazy variables
 * (`{ ...vars, result }`) would render every one of them, so one variable that cannot resolve (a
 * recursive pair) would fail tasks that never use it.
 */
export const overlayVars = (base: Vars, top: Vars): Vars => {
  const own = (k: string | symbol) => typeof k === 'string' && Object.hasOwn(top, k);
  return new Proxy(base, {
    get: (t, k) => {
      if (k === RAW_VALUE) return (name: string) => (own(name) ? top[name] : rawValueOf(t, name));
      return own(k) ? top[k as string] : Reflect.get(t, k);
    },
    has: (t, k) => own(k) || Reflect.has(t, k),
    ownKeys: (t) => [...new Set([...Reflect.ownKeys(t), ...Reflect.ownKeys(top)])],
    getOwnPropertyDescriptor: (t, k) =>
      own(k) ? { value: top[k as string], enumerable: true, configurable: true, writable: true } : Reflect.getOwnPropertyDescriptor(t, k),
  });
};
