import type { z } from 'zod';
import { asBoolean } from '../template/boolean.js';
import { overlayVars } from '../template/overlay.js';
import { PyFloat } from '../template/py-float.js';

/**
 * Ansible's argument_spec conversions for arguments a template computed: Ansible 2.14 templates `{{ 3 + 1 }}`
 * to the text '4', and a module whose argument is an int (or a float, or a bool) converts that text. nop's
 * schemas say number or boolean: where one refuses a string that converts, the string is converted and the
 * arguments parsed again; a Python float (lib/template/py-float.ts) becomes its number, or its text where a
 * string is asked for. Anything else keeps zod's error.
 */

type Issue = { code: string; path: PropertyKey[]; expected?: string; errors?: Issue[][] };

// the paths of values whose schema wanted a number or a boolean, inside unions too
const wanted = (issues: readonly Issue[], prefix: PropertyKey[] = []): { path: PropertyKey[]; type: string }[] =>
  issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_type' && (issue.expected === 'number' || issue.expected === 'boolean' || issue.expected === 'string'))
      return [{ path, type: issue.expected }];
    if (issue.code === 'invalid_union' && issue.errors) return issue.errors.flatMap((branch) => wanted(branch, path));
    return [];
  });

const converted = (value: unknown, type: string): unknown => {
  // a float of a template or of YAML (2.0): the number, or its text where text is asked for
  if (value instanceof PyFloat) return type === 'number' ? value.value : type === 'string' ? value.toString() : undefined;
  if (typeof value !== 'string') return undefined;
  if (type === 'boolean') return asBoolean(value);
  const s = value.trim();
  return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s) ? Number(s) : undefined;
};

// a copy of `root` with the value at `path` replaced
const replaced = (root: unknown, path: PropertyKey[], value: unknown): unknown => {
  if (path.length === 0) return value;
  const [key, ...rest] = path;
  if (Array.isArray(root)) return root.map((x, i) => (i === key ? replaced(x, rest, value) : x));
  // over the original, not a spread of it: a scope of lazy variables renders only what is read
  const obj = root as Record<string, unknown>;
  return overlayVars(obj, { [String(key)]: replaced(obj[String(key)], rest, value) });
};

const at = (root: unknown, path: PropertyKey[]): unknown =>
  path.reduce<unknown>((cur, k) => (cur !== null && typeof cur === 'object' ? (cur as Record<PropertyKey, unknown>)[k] : undefined), root);

/** `schema.safeParse(args)`, converting template text to the numbers and booleans the schema asks for. */
export const parseConverted = <S extends z.ZodType>(schema: S, args: unknown): ReturnType<S['safeParse']> => {
  let input = args;
  let parsed = schema.safeParse(input);
  // each round converts every value the last parse named; nested unions may name more after one converts
  for (let round = 0; round < 4 && !parsed.success; round++) {
    let next = input;
    for (const { path, type } of wanted(parsed.error.issues as unknown as Issue[])) {
      const v = converted(at(next, path), type);
      if (v !== undefined) next = replaced(next, path, v);
    }
    if (next === input) break;
    input = next;
    parsed = schema.safeParse(input);
  }
  return parsed as ReturnType<S['safeParse']>;
};
