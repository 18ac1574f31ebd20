import { types } from 'node:util';

/**
 * Module arguments the lookahead (lookahead.ts) already checked against their schema, so the task that renders the
 * same arguments does not check them again: the lookahead renders and parses every coming task's arguments to know
 * its facts, and a task parsed them a second time when it ran. Only arguments that are plain data (text, numbers,
 * booleans, null, lists and mappings of them) are kept, under their exact content: a task whose arguments render
 * differently when it runs (a variable registered meanwhile, a lookup) finds nothing and parses its own. An entry is
 * taken once (a module may change the arguments it was given), and a new lookahead forgets what the last one left.
 */
export interface ParsedAhead {
  /** forget every entry (the lookahead reads the coming tasks anew) */
  clear(): void;
  /** `schema` accepted `args` as `data` */
  put(schema: object, args: unknown, data: unknown): void;
  /** the parse of exactly these arguments by this schema, taken out; undefined when there is none */
  take(schema: object, args: unknown): { success: true; data: unknown } | undefined;
}

const isPlainObject = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

// the arguments' content as text, or undefined when they hold anything but plain data (a class instance, a Buffer,
// a variable's lazy view, which renders again each time it is read)
const contentKey = (args: unknown): string | undefined => {
  let plain = true;
  const text = JSON.stringify(args, function (this: Record<string, unknown>, key: string, value: unknown) {
    // as it was, not as its toJSON() has it (a Python float says its number)
    const original = this[key];
    if (original === null || typeof original === 'string' || typeof original === 'boolean') return value;
    if (typeof original === 'number' && Number.isFinite(original) && !Object.is(original, -0)) return value;
    if (typeof original === 'object' && !types.isProxy(original) && (Array.isArray(original) || isPlainObject(original))) return value;
    plain = false;
    return null;
  });
  return plain ? text : undefined;
};

export const createParsedAhead = (): ParsedAhead => {
  const entries = new Map<object, Map<string, unknown>>();
  return {
    clear: () => entries.clear(),
    put: (schema, args, data) => {
      const key = contentKey(args);
      if (key === undefined) return;
      const bySchema = entries.get(schema) ?? new Map<string, unknown>();
      bySchema.set(key, data);
      entries.set(schema, bySchema);
    },
    take: (schema, args) => {
      const bySchema = entries.get(schema);
      if (!bySchema || bySchema.size === 0) return undefined;
      const key = contentKey(args);
      if (key === undefined || !bySchema.has(key)) return undefined;
      const data = bySchema.get(key);
      bySchema.delete(key);
      return { success: true, data };
    },
  };
};
