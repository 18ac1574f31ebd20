import type { z } from 'zod';
import { parseConverted } from './converted-args.js';

/**
 * A module's arguments checked by its schema once per distinct value: a play runs each task on every host, and the
 * look-ahead checks the same arguments again to learn the task's facts, so zod used to check equal values once per
 * task, host and pass. Only plain JSON values are remembered (strings, finite numbers, booleans, null, arrays and
 * plain objects, no undefined): an `!unsafe` String object or a Buffer is checked every time, as JSON text would
 * not tell it from a plain value. A remembered success is kept as JSON text and each caller gets its own copy, so
 * no module can change what another host gets.
 */
type Result = z.ZodSafeParseResult<unknown>;
type Remembered = { json: string } | { failure: Result };

// bounded: a loop over thousands of items must not keep every item's arguments
const MAX_PER_SCHEMA = 4096;
const remembered = new WeakMap<z.ZodType, Map<string, Remembered>>();

const isPlainObject = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

const isPlain = (v: unknown): boolean => {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.every(isPlain);
  return isPlainObject(v) && Object.values(v).every(isPlain);
};

/** `parseConverted(schema, args)` (zod, converting template text as Ansible does), remembered for plain JSON arguments whose result is plain JSON too. */
export const parseArgs = (schema: z.ZodType, args: unknown): Result => {
  if (!isPlain(args)) return parseConverted(schema, args);
  const key = JSON.stringify(args);
  let bySchema = remembered.get(schema);
  const hit = bySchema?.get(key);
  if (hit) return 'json' in hit ? { success: true, data: JSON.parse(hit.json) } : hit.failure;
  const result = parseConverted(schema, args);
  if (result.success && !isPlain(result.data)) return result;
  if (!bySchema) {
    bySchema = new Map();
    remembered.set(schema, bySchema);
  }
  if (bySchema.size >= MAX_PER_SCHEMA) bySchema.clear();
  bySchema.set(key, result.success ? { json: JSON.stringify(result.data) } : { failure: result });
  return result;
};
