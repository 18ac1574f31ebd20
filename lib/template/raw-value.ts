type Vars = Record<string, unknown>;

/**
 * A scope of variables may render its values when they are read (lib/runner/lazy-vars.ts); Ansible's
 * `{{ name }}` shortcut looks at the value as it was written, before templating. `vars[RAW_VALUE](name)`
 * gives that value where the scope keeps one.
 */
export const RAW_VALUE: unique symbol = Symbol('rawValue');

export type RawValueOf = (name: string) => unknown;

/** The value of `name` as written (a lazy scope's unrendered template), or as read where the scope keeps none. */
export const rawValueOf = (vars: Vars, name: string): unknown => {
  const raw = (vars as Record<symbol, unknown>)[RAW_VALUE];
  return typeof raw === 'function' ? (raw as RawValueOf)(name) : vars[name];
};
