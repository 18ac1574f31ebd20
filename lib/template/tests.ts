import { existsSync, lstatSync, statSync } from 'node:fs';
import { FilterError, pyCompare, truthy } from './filters.js';
import { isFloat, isNumber, PyFloat, plainNumber } from './py-float.js';

/** Jinja2's and Ansible's tests (`x is version('1.2', '>=')`, `r is changed`): value and arguments → boolean. */
export type Test = (value: unknown, args: unknown[], kwargs: Record<string, unknown>) => boolean;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof PyFloat);
const result = (v: unknown): Obj => (isObj(v) ? v : {});

const searchRe = (pattern: unknown, kwargs: Obj): RegExp =>
  new RegExp(String(pattern).replace(/\(\?P</g, '(?<'), `${kwargs.ignorecase ? 'i' : ''}${kwargs.multiline ? 'm' : ''}`);

// LooseVersion-like parts: numbers compare as numbers, the rest as text
const versionParts = (v: unknown): (number | string)[] =>
  String(v)
    .split(/(\d+)|[.\-+_~]/)
    .filter((p) => p !== undefined && p !== '')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));

const compareVersions = (a: unknown, b: unknown): number => {
  const [x, y] = [versionParts(a), versionParts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] === undefined) return -1;
    if (y[i] === undefined) return 1;
    if (typeof x[i] !== typeof y[i]) return typeof x[i] === 'number' ? 1 : -1;
    const c = pyCompare(x[i], y[i]);
    if (c !== 0) return c;
  }
  return 0;
};

const VERSION_OPS: Record<string, (c: number) => boolean> = {
  '<': (c) => c < 0,
  lt: (c) => c < 0,
  '<=': (c) => c <= 0,
  le: (c) => c <= 0,
  '>': (c) => c > 0,
  gt: (c) => c > 0,
  '>=': (c) => c >= 0,
  ge: (c) => c >= 0,
  '==': (c) => c === 0,
  '=': (c) => c === 0,
  eq: (c) => c === 0,
  '!=': (c) => c !== 0,
  '<>': (c) => c !== 0,
  ne: (c) => c !== 0,
};

const version: Test = (v, [other, op = 'eq'], kwargs) => {
  const check = VERSION_OPS[String(kwargs.operator ?? op)];
  if (!check) throw new FilterError(`version: invalid operator '${String(op)}' (use <, <=, >, >=, ==, != or lt, le, gt, ge, eq, ne)`);
  return check(compareVersions(v, other));
};

const equal = (x: unknown, y: unknown): boolean => {
  const [a, b] = [plainNumber(x), plainNumber(y)];
  return a === b || (typeof a === 'object' && a !== null && JSON.stringify(a) === JSON.stringify(b));
};

/** `x in y`, Python's: a substring, a list member, a dict key. */
export const contains = (haystack: unknown, needle: unknown): boolean => {
  if (typeof haystack === 'string') return haystack.includes(String(needle));
  if (Array.isArray(haystack)) return haystack.some((h) => equal(h, needle));
  if (isObj(haystack)) return Object.hasOwn(haystack, String(needle));
  return false;
};

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : isObj(v) ? Object.keys(v) : []);

const exists = (p: unknown, fn: (path: string) => boolean): boolean => {
  try {
    return fn(String(p));
  } catch {
    return false;
  }
};

export const TESTS: Record<string, Test> = {
  none: (v) => v === null,
  string: (v) => typeof v === 'string',
  number: (v) => isNumber(v),
  integer: (v) => isNumber(v) && !isFloat(v),
  float: (v) => isFloat(v),
  boolean: (v) => typeof v === 'boolean',
  mapping: (v) => isObj(v),
  sequence: (v) => Array.isArray(v) || typeof v === 'string' || isObj(v),
  iterable: (v) => Array.isArray(v) || typeof v === 'string' || isObj(v),
  list: (v) => Array.isArray(v),
  callable: () => false,
  true: (v) => v === true,
  false: (v) => v === false,
  truthy: (v) => truthy(v),
  falsy: (v) => !truthy(v),
  lower: (v) => String(v) === String(v).toLowerCase(),
  upper: (v) => String(v) === String(v).toUpperCase(),
  odd: (v) => Number(v) % 2 === 1,
  even: (v) => Number(v) % 2 === 0,
  divisibleby: (v, [n]) => Number(v) % Number(n) === 0,
  eq: (v, [o]) => equal(v, o),
  equalto: (v, [o]) => equal(v, o),
  '==': (v, [o]) => equal(v, o),
  ne: (v, [o]) => !equal(v, o),
  '!=': (v, [o]) => !equal(v, o),
  lt: (v, [o]) => pyCompare(v, o) < 0,
  '<': (v, [o]) => pyCompare(v, o) < 0,
  le: (v, [o]) => pyCompare(v, o) <= 0,
  '<=': (v, [o]) => pyCompare(v, o) <= 0,
  gt: (v, [o]) => pyCompare(v, o) > 0,
  '>': (v, [o]) => pyCompare(v, o) > 0,
  ge: (v, [o]) => pyCompare(v, o) >= 0,
  '>=': (v, [o]) => pyCompare(v, o) >= 0,
  sameas: (v, [o]) => v === o,
  in: (v, [seq]) => contains(seq, v),
  contains: (v, [x]) => contains(v, x),
  subset: (v, [o]) => asList(v).every((x) => contains(asList(o), x)),
  superset: (v, [o]) => asList(o).every((x) => contains(asList(v), x)),
  match: (v, [pattern], kwargs) => searchRe(`^(?:${String(pattern)})`, kwargs).test(String(v)),
  search: (v, [pattern], kwargs) => searchRe(pattern, kwargs).test(String(v)),
  regex: (v, [pattern], kwargs) => (kwargs.match_type === 'match' ? searchRe(`^(?:${String(pattern)})`, kwargs) : searchRe(pattern, kwargs)).test(String(v)),
  version,
  version_compare: version,
  // paths on the controller, as in Ansible
  file: (v) => exists(v, (p) => statSync(p).isFile()),
  directory: (v) => exists(v, (p) => statSync(p).isDirectory()),
  link: (v) => exists(v, (p) => lstatSync(p).isSymbolicLink()),
  exists: (v) => exists(v, existsSync),
  abs: (v) => String(v).startsWith('/'),
  // a registered result
  changed: (v) => result(v).changed === true,
  change: (v) => result(v).changed === true,
  failed: (v) => result(v).failed === true,
  failure: (v) => result(v).failed === true,
  succeeded: (v) => result(v).failed !== true,
  success: (v) => result(v).failed !== true,
  successful: (v) => result(v).failed !== true,
  skipped: (v) => result(v).skipped === true,
  skip: (v) => result(v).skipped === true,
  finished: (v) => result(v).finished !== 0,
  started: (v) => result(v).started !== 0,
};
