import { createHash, randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { stringify as yamlStringify, parse as yamlParse } from 'yaml';
import { parseBoolean } from './boolean.js';
import { floatRepr, isFloat, isNumber, numberRepr, numberResult, PyFloat, plainNumber, pyFloat } from './py-float.js';
import { pyRepr, pyStr } from './python-repr.js';
import { sha512Crypt } from './sha-crypt.js';

/**
 * Ansible's and Jinja2's filters, as Ansible users write them (`x | default('a')`, `l | map(attribute='n')`).
 * Each takes the value, the positional arguments and the keyword arguments.
 */
export type Filter = (value: unknown, args: unknown[], kwargs: Record<string, unknown>, env: FilterEnv) => unknown;

/** What a filter may call back: a test or another filter by name (select, map). */
export interface FilterEnv {
  test(name: string, value: unknown, args: unknown[]): boolean;
  filter(name: string, value: unknown, args: unknown[], kwargs: Record<string, unknown>): unknown;
  /** the sentinel of a value that is not defined */
  isUndefined(v: unknown): boolean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof PyFloat);

export class FilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterError';
  }
}

/** Python's truthiness: empty strings, lists and dicts are false. */
export const truthy = (v: unknown): boolean => {
  if (v instanceof PyFloat) return v.value !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isObj(v)) return Object.keys(v).length > 0;
  return Boolean(v);
};

const list = (v: unknown): unknown[] => {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isObj(v)) return Object.keys(v);
  if (v === null || v === undefined) return [];
  throw new FilterError(`'${pyRepr(v)}' is not iterable`);
};

export const equal = (x: unknown, y: unknown): boolean => {
  const [a, b] = [plainNumber(x), plainNumber(y)];
  return a === b || (typeof a === 'object' && a !== null && JSON.stringify(a) === JSON.stringify(b));
};

const uniq = (l: unknown[]): unknown[] => l.filter((x, i) => l.findIndex((y) => equal(x, y)) === i);

const attr = (item: unknown, path: string): unknown =>
  String(path)
    .split('.')
    .reduce<unknown>(
      (cur, k) => (cur !== null && typeof cur === 'object' ? (cur as Obj)[/^\d+$/.test(k) && Array.isArray(cur) ? Number(k) : k] : undefined),
      item,
    );

/** Python's ordering: numbers by value, strings by code point, lists element by element. */
export const pyCompare = (a: unknown, b: unknown): number => {
  if (isNumber(a) && isNumber(b)) return Number(a) - Number(b);
  if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = pyCompare(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  throw new FilterError(`'<' not supported between ${pyRepr(a)} and ${pyRepr(b)}`);
};

const toInt = (v: unknown, dflt = 0, base = 10): number => {
  if (isNumber(v)) return Math.trunc(Number(v));
  if (typeof v === 'boolean') return Number(v);
  const s = String(v).trim();
  const n = base === 10 && /^[+-]?\d+(\.\d+)?$/.test(s) ? Math.trunc(Number(s)) : Number.parseInt(s, base);
  return Number.isNaN(n) ? dflt : n;
};

// Jinja's float filter: Python's float() of the value, or the default (0.0) when it is not a number
const toFloat = (v: unknown, dflt: unknown = 0): unknown => {
  if (isNumber(v) || typeof v === 'boolean') return pyFloat(Number(v));
  const s = String(v).trim();
  const n = /^[+-]?(inf(inity)?|nan)$/i.test(s) ? Number(s.replace(/inf(inity)?/i, 'Infinity').replace(/nan/i, 'NaN')) : Number(s);
  if ((Number.isNaN(n) && !/nan$/i.test(s)) || s === '' || /^[+-]?0[xob]/i.test(s)) return isNumber(dflt) ? pyFloat(Number(dflt)) : dflt;
  return pyFloat(n);
};

// Python's round(x, p): the nearest multiple of 10**-p to x's exact value, a tie to the even one
const roundHalfEven = (x: number, p: number): number => {
  if (!Number.isFinite(x)) return x;
  const scaled = Math.abs(x) * 10 ** p;
  const low = Math.floor(scaled);
  const tie = scaled - low === 0.5;
  if (!tie && p >= 0 && p <= 100) return Math.sign(x) * Number(Math.abs(x).toFixed(p));
  const whole = tie ? (low % 2 === 0 ? low : low + 1) : Math.round(scaled);
  return (Math.sign(x) * whole) / 10 ** p;
};

const flatten = (l: unknown[], levels?: number): unknown[] =>
  l.flatMap((x) =>
    Array.isArray(x) ? (levels === undefined ? flatten(x) : levels > 1 ? flatten(x, levels - 1) : levels === 1 ? x : [x]) : x === null ? [] : [x],
  );

const combine = (dicts: unknown[], recursive: boolean, listMerge: string): Obj => {
  const merge = (a: Obj, b: Obj): Obj => {
    const out: Obj = { ...a };
    for (const [k, v] of Object.entries(b)) {
      if (recursive && isObj(out[k]) && isObj(v)) out[k] = merge(out[k] as Obj, v);
      else if (Array.isArray(out[k]) && Array.isArray(v) && listMerge !== 'replace') out[k] = mergeLists(out[k] as unknown[], v, listMerge);
      else out[k] = v;
    }
    return out;
  };
  return dicts.reduce<Obj>((acc, d) => {
    if (!isObj(d)) throw new FilterError(`combine expects dictionaries, got ${pyRepr(d)}`);
    return merge(acc, d);
  }, {});
};

const mergeLists = (a: unknown[], b: unknown[], how: string): unknown[] => {
  switch (how) {
    case 'keep':
      return a;
    case 'append':
      return [...a, ...b];
    case 'prepend':
      return [...b, ...a];
    case 'append_rp':
      return [...a.filter((x) => !b.some((y) => equal(x, y))), ...b];
    case 'prepend_rp':
      return [...b, ...a.filter((x) => !b.some((y) => equal(x, y)))];
    default:
      throw new FilterError(`combine: list_merge must be replace, keep, append, prepend, append_rp or prepend_rp`);
  }
};

const regex = (pattern: unknown, kwargs: Obj): RegExp => {
  let flags = 'g';
  if (kwargs.ignorecase) flags += 'i';
  if (kwargs.multiline) flags += 'm';
  // Python's named groups (?P<n>...) and backreferences (?P=n) in JavaScript's spelling
  return new RegExp(
    String(pattern)
      .replace(/\(\?P</g, '(?<')
      .replace(/\(\?P=(\w+)\)/g, '\\k<$1>'),
    flags,
  );
};

// Python's replacement syntax: \1, \g<1>, \g<name>
const replacement = (r: unknown): string =>
  String(r)
    .replace(/\$/g, '$$$$')
    .replace(/\\g<(\w+)>/g, (_m, g: string) => (/^\d+$/.test(g) ? `$${g}` : `$<${g}>`))
    .replace(/\\(\d)/g, '$$$1');

// PyYAML's safe_dump as Ansible calls it: keys sorted; to_nice_yaml is block style indented by 4 ("-   " before list items)
const yamlScalar = (v: unknown): string => (v === null || v === undefined ? 'null' : yamlStringify(v, { lineWidth: 0 }).replace(/\n$/, ''));

const niceYaml = (v: unknown, indent: number, depth = 0): string => {
  const pad = ' '.repeat(indent * depth);
  if (Array.isArray(v)) {
    if (v.length === 0) return `${pad}[]\n`;
    return v.map((x) => `${pad}-${' '.repeat(indent - 1)}${niceYaml(x, indent, depth + 1).slice(pad.length + indent)}`).join('');
  }
  if (isObj(v)) {
    const keys = Object.keys(v).sort();
    if (keys.length === 0) return `${pad}{}\n`;
    return keys
      .map((k) => {
        const x = v[k];
        const nested = (Array.isArray(x) && x.length) || (isObj(x) && Object.keys(x).length);
        return nested ? `${pad}${yamlScalar(k)}:\n${niceYaml(x, indent, depth + 1)}` : `${pad}${yamlScalar(k)}: ${niceYaml(x, indent, 0).trimEnd()}\n`;
      })
      .join('');
  }
  return `${pad}${yamlScalar(v)}\n`;
};

const sortKeys = (x: unknown): unknown =>
  Array.isArray(x)
    ? x.map(sortKeys)
    : isObj(x)
      ? Object.fromEntries(
          Object.keys(x)
            .sort()
            .map((k) => [k, sortKeys(x[k])]),
        )
      : x;

// PyYAML's float: its repr, lowercase, with '.0' before a bare exponent (1.0e+20); .nan and .inf
const yamlFloat = (n: number): string => {
  if (Number.isNaN(n)) return '.nan';
  if (!Number.isFinite(n)) return n > 0 ? '.inf' : '-.inf';
  const r = floatRepr(n);
  return r.includes('.') ? r : r.replace('e', '.0e');
};

// the yaml library prints numbers as JavaScript does: floats go in as placeholders and come out as PyYAML prints them
const withFloatTokens = (v: unknown, floats: number[]): unknown => {
  if (isFloat(v)) return `nopfloat${floats.push(Number(v)) - 1}x`;
  if (Array.isArray(v)) return v.map((x) => withFloatTokens(x, floats));
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withFloatTokens(x, floats)]));
  return v;
};

const toYaml = (v: unknown, nice: boolean, kwargs: Obj): string => {
  const floats: number[] = [];
  const tokens = withFloatTokens(v, floats);
  const out = nice
    ? niceYaml(tokens, typeof kwargs.indent === 'number' ? kwargs.indent : 4)
    : yamlStringify(sortKeys(tokens), { lineWidth: 0, flowCollectionPadding: false, collectionStyle: 'flow' });
  return floats.length ? out.replace(/nopfloat(\d+)x/g, (_m, i: string) => yamlFloat(floats[Number(i)])) : out;
};

// json.dumps prints a float as its repr (2.0, 1e+20) and the non-finite ones as JavaScript spells them
const jsonNumber = (v: number | PyFloat): string => {
  const n = Number(v);
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  return numberRepr(v);
};

// Python's json.dumps: ', ' and ': ' between items on one line, or indented with ',' and ': '
const pyJson = (v: unknown, indent?: number, sortKeys = false, depth = 0): string => {
  if (v === undefined) return 'null';
  if (isNumber(v)) return jsonNumber(v);
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  const entries: [string | undefined, unknown][] = Array.isArray(v)
    ? v.map((x) => [undefined, x])
    : (sortKeys ? Object.keys(v).sort() : Object.keys(v)).map((k) => [k, (v as Obj)[k]]);
  const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) return open + close;
  const item = ([k, x]: [string | undefined, unknown]) => (k === undefined ? '' : `${JSON.stringify(k)}: `) + pyJson(x, indent, sortKeys, depth + 1);
  if (indent === undefined) return open + entries.map(item).join(', ') + close;
  const pad = (n: number) => ' '.repeat(indent * n);
  return `${open}\n${entries.map((e) => pad(depth + 1) + item(e)).join(',\n')}\n${pad(depth)}${close}`;
};

const shellQuote = (v: unknown): string => {
  const s = pyStr(v);
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'"'"'`)}'`;
};

const commentStyles: Record<string, [string, string, string, string, string]> = {
  // [beginning, prefix, prefix_count-line decoration, end]
  plain: ['', '# ', '', '', '#'],
  c: ['', '// ', '', '', '//'],
  cblock: ['/*', ' * ', '', ' */', ' *'],
  erlang: ['', '% ', '', '', '%'],
  xml: ['<!--', ' - ', '', '-->', ' -'],
};

const comment = (v: unknown, style = 'plain', kwargs: Obj = {}): string => {
  const [begin, prefix, , end, decoration] = commentStyles[String(kwargs.style ?? style)] ?? commentStyles.plain;
  const pre = String(kwargs.prefix ?? prefix);
  const lines = pyStr(v)
    .split('\n')
    .map((l) => (l ? `${pre}${l}` : decoration));
  const deco = String(kwargs.decoration ?? decoration);
  return [...(begin ? [begin] : []), deco, ...lines, deco, ...(end ? [end] : [])].join('\n');
};

const hashOf = (v: unknown, algo = 'sha1'): string => createHash(String(algo)).update(pyStr(v)).digest('hex');

const SALT_CHARS = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const passwordHash = (v: unknown, scheme = 'sha512', salt?: unknown, kwargs: Obj = {}): string => {
  if (scheme !== 'sha512' && scheme !== 'sha512_crypt') throw new FilterError(`password_hash: only sha512 is supported, not '${scheme}'`);
  const s = salt === undefined || salt === null ? [...randomBytes(16)].map((b) => SALT_CHARS[b % 64]).join('') : String(salt);
  // passlib's default rounds, which Ansible's hashes show
  return sha512Crypt(pyStr(v), s, typeof kwargs.rounds === 'number' ? kwargs.rounds : 656000);
};

const versionOf = (v: unknown): unknown[] =>
  String(v)
    .split(/[.\-+]/)
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));

export const FILTERS: Record<string, Filter> = {
  default: (v, [d = '', bool = false], _k, env) => (env.isUndefined(v) || (truthy(bool) && !truthy(v)) ? d : v),
  mandatory: (v, [msg], _k, env) => {
    if (env.isUndefined(v)) throw new FilterError(msg === undefined ? 'Mandatory variable not defined.' : String(msg));
    return v;
  },
  join: (v, [sep = '', attribute], kwargs) =>
    list(v)
      .map((x) => pyStr((attribute ?? kwargs.attribute) ? attr(x, String(attribute ?? kwargs.attribute)) : x))
      .join(pyStr(sep)),
  map: (v, [name, ...rest], kwargs, env) => {
    if (kwargs.attribute !== undefined) return list(v).map((x) => attr(x, String(kwargs.attribute)) ?? kwargs.default);
    return list(v).map((x) => env.filter(String(name), x, rest, kwargs));
  },
  select: (v, [test = 'truthy', ...rest], _k, env) => list(v).filter((x) => (test === 'truthy' ? truthy(x) : env.test(String(test), x, rest))),
  reject: (v, [test = 'truthy', ...rest], _k, env) => list(v).filter((x) => !(test === 'truthy' ? truthy(x) : env.test(String(test), x, rest))),
  selectattr: (v, [a, test, ...rest], _k, env) =>
    list(v).filter((x) => (test === undefined ? truthy(attr(x, String(a))) : env.test(String(test), attr(x, String(a)), rest))),
  rejectattr: (v, [a, test, ...rest], _k, env) =>
    list(v).filter((x) => !(test === undefined ? truthy(attr(x, String(a))) : env.test(String(test), attr(x, String(a)), rest))),
  list: (v) => list(v),
  unique: (v) => uniq(list(v)),
  union: (v, [o]) => uniq([...list(v), ...list(o)]),
  difference: (v, [o]) => uniq(list(v).filter((x) => !list(o).some((y) => equal(x, y)))),
  intersect: (v, [o]) => uniq(list(v).filter((x) => list(o).some((y) => equal(x, y)))),
  symmetric_difference: (v, [o]) =>
    uniq([...list(v).filter((x) => !list(o).some((y) => equal(x, y))), ...list(o).filter((x) => !list(v).some((y) => equal(x, y)))]),
  flatten: (v, [levels], kwargs) => flatten(list(v), (levels ?? kwargs.levels) === undefined ? undefined : Number(levels ?? kwargs.levels)),
  combine: (v, args, kwargs) => combine([v, ...args.flat()], truthy(kwargs.recursive), String(kwargs.list_merge ?? 'replace')),
  dict2items: (v, _a, kwargs) => {
    if (!isObj(v)) throw new FilterError(`dict2items requires a dictionary, got ${pyRepr(v)}`);
    const [k, val] = [String(kwargs.key_name ?? 'key'), String(kwargs.value_name ?? 'value')];
    return Object.entries(v).map(([key, value]) => ({ [k]: key, [val]: value }));
  },
  items2dict: (v, _a, kwargs) => {
    const [k, val] = [String(kwargs.key_name ?? 'key'), String(kwargs.value_name ?? 'value')];
    return Object.fromEntries(list(v).map((i) => [pyStr((i as Obj)[k]), (i as Obj)[val]]));
  },
  dict: (v) => Object.fromEntries(list(v).map((pair) => [pyStr((pair as unknown[])[0]), (pair as unknown[])[1]])),
  zip: (v, args) =>
    list(v)
      .map((x, i) => [x, ...args.map((a) => list(a)[i])])
      .filter((t) => t.every((x) => x !== undefined)),
  to_json: (v, _a, kwargs) => pyJson(v, typeof kwargs.indent === 'number' ? kwargs.indent : undefined, truthy(kwargs.sort_keys)),
  to_nice_json: (v, _a, kwargs) => pyJson(v, typeof kwargs.indent === 'number' ? kwargs.indent : 4, true),
  from_json: (v) => JSON.parse(pyStr(v)),
  to_yaml: (v, _a, kwargs) => toYaml(v, false, kwargs),
  to_nice_yaml: (v, _a, kwargs) => toYaml(v, true, kwargs),
  from_yaml: (v) => yamlParse(pyStr(v)),
  regex_replace: (v, [pattern, repl = ''], kwargs) => pyStr(v).replace(regex(pattern, kwargs), replacement(repl)),
  regex_search: (v, [pattern, ...groups], kwargs) => {
    const m = new RegExp(regex(pattern, kwargs).source, regex(pattern, kwargs).flags.replace('g', '')).exec(pyStr(v));
    if (!m) return null;
    if (groups.length === 0) return m[0];
    return groups.map((g) => {
      const s = String(g);
      return s.startsWith('\\g<') ? m.groups?.[s.slice(3, -1)] : m[Number(s.replace('\\', ''))];
    });
  },
  regex_findall: (v, [pattern], kwargs) =>
    [...pyStr(v).matchAll(regex(pattern, kwargs))].map((m) => (m.length > 2 ? m.slice(1) : m.length === 2 ? m[1] : m[0])),
  regex_escape: (v) => pyStr(v).replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'),
  replace: (v, [from, to, count]) => {
    let n = count === undefined ? Number.POSITIVE_INFINITY : Number(count);
    return pyStr(v)
      .split(pyStr(from))
      .reduce((out, part, i) => (i === 0 ? part : n-- > 0 ? out + pyStr(to) + part : out + pyStr(from) + part), '');
  },
  split: (v, [sep, max]) => pySplit(pyStr(v), sep === undefined || sep === null ? undefined : pyStr(sep), max === undefined ? -1 : Number(max)),
  basename: (v) => posix.basename(pyStr(v)),
  dirname: (v) =>
    pyStr(v).endsWith('/') ? pyStr(v).replace(/\/+$/, '') || '/' : posix.dirname(pyStr(v)) === '.' && !pyStr(v).startsWith('.') ? '' : posix.dirname(pyStr(v)),
  b64encode: (v) => Buffer.from(pyStr(v), 'utf8').toString('base64'),
  b64decode: (v) => Buffer.from(pyStr(v), 'base64').toString('utf8'),
  hash: (v, [algo]) => hashOf(v, algo === undefined ? 'sha1' : String(algo)),
  md5: (v) => hashOf(v, 'md5'),
  sha1: (v) => hashOf(v, 'sha1'),
  checksum: (v) => hashOf(v, 'sha1'),
  password_hash: (v, [scheme, salt], kwargs) => passwordHash(v, scheme === undefined ? 'sha512' : String(scheme), salt ?? kwargs.salt, kwargs),
  quote: (v) => shellQuote(v),
  ternary: (v, [t, f, n]) => (v === null && n !== undefined ? n : truthy(v) ? t : f),
  bool: (v) => (v === null ? false : typeof v === 'boolean' ? v : parseBoolean(v, "the 'bool' filter")),
  int: (v, [dflt = 0, base = 10]) => toInt(v, Number(dflt), Number(base)),
  float: (v, [dflt = 0]) => toFloat(v, dflt),
  string: (v) => pyStr(v),
  lower: (v) => pyStr(v).toLowerCase(),
  upper: (v) => pyStr(v).toUpperCase(),
  capitalize: (v) => pyStr(v).charAt(0).toUpperCase() + pyStr(v).slice(1).toLowerCase(),
  title: (v) => pyStr(v).replace(/\w\S*/g, (w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()),
  trim: (v) => pyStr(v).trim(),
  length: (v) => list(typeof v === 'string' ? [...v] : v).length,
  count: (v) => list(v).length,
  first: (v) => list(v)[0],
  last: (v) => list(v).at(-1),
  reverse: (v) => (typeof v === 'string' ? [...v].reverse().join('') : [...list(v)].reverse()),
  min: (v, _a, kwargs) =>
    [...list(v)].sort((a, b) =>
      pyCompare(kwargs.attribute ? attr(a, String(kwargs.attribute)) : a, kwargs.attribute ? attr(b, String(kwargs.attribute)) : b),
    )[0],
  max: (v, _a, kwargs) =>
    [...list(v)]
      .sort((a, b) => pyCompare(kwargs.attribute ? attr(a, String(kwargs.attribute)) : a, kwargs.attribute ? attr(b, String(kwargs.attribute)) : b))
      .at(-1),
  sum: (v, [start = 0], kwargs) =>
    list(v).reduce<unknown>((acc, x) => plus(acc, kwargs.attribute ? attr(x, String(kwargs.attribute)) : x), kwargs.start ?? start),
  sort: (v, [reverse = false], kwargs) => {
    const key = (x: unknown) =>
      kwargs.attribute ? attr(x, String(kwargs.attribute)) : typeof x === 'string' && !truthy(kwargs.case_sensitive) ? x.toLowerCase() : x;
    const sorted = [...list(v)].sort((a, b) => pyCompare(key(a), key(b)));
    return truthy(kwargs.reverse ?? reverse) ? sorted.reverse() : sorted;
  },
  abs: (v) => numberResult(Math.abs(Number(v)), v),
  // Jinja's round: a float; 'common' is Python's round() (half to even), 'ceil' and 'floor' round up and down
  round: (v, [precision = 0, method = 'common'], kwargs) => {
    const p = Number(kwargs.precision ?? precision);
    const how = String(kwargs.method ?? method);
    const n = Number(v);
    const f = 10 ** p;
    if (how === 'ceil' || how === 'floor') return pyFloat((how === 'ceil' ? Math.ceil(n * f) : Math.floor(n * f)) / f);
    if (how !== 'common') throw new FilterError("round: method must be 'common', 'ceil' or 'floor'");
    return pyFloat(roundHalfEven(n, p));
  },
  comment: (v, [style], kwargs) => comment(v, style === undefined ? 'plain' : String(style), kwargs),
  extract: (v, [container, morekeys]) => {
    const first = (container as Obj)?.[pyStr(v)] ?? (Array.isArray(container) ? container[Number(v)] : undefined);
    return morekeys === undefined ? first : (Array.isArray(morekeys) ? morekeys : [morekeys]).reduce<unknown>((cur, k) => (cur as Obj)?.[pyStr(k)], first);
  },
  random: (v) => {
    const l = isNumber(v) ? [...Array(Number(v)).keys()] : list(v);
    return l[randomBytes(4).readUInt32BE() % l.length];
  },
  indent: (v, [width = 4, first = false]) => {
    const pad = typeof width === 'string' ? width : ' '.repeat(Number(width));
    return pyStr(v)
      .split('\n')
      .map((l, i) => ((i > 0 || truthy(first)) && l ? pad + l : l))
      .join('\n');
  },
  center: (v, [width = 80]) => {
    const s = pyStr(v);
    const total = Math.max(0, Number(width) - s.length);
    return ' '.repeat(Math.floor(total / 2)) + s + ' '.repeat(total - Math.floor(total / 2));
  },
  format: (v, args) => pyFormat(pyStr(v), args),
  version_compare: () => {
    throw new FilterError("'version_compare' is a test: write `x is version('1.2', '>=')`");
  },
  items: (v) => (isObj(v) ? Object.entries(v) : []),
  keys: (v) => (isObj(v) ? Object.keys(v) : []),
  safe: (v) => v,
  e: (v) => v,
  urlencode: (v) => encodeURIComponent(pyStr(v)).replace(/%2F/g, '/'),
  splitext: (v) => {
    const ext = posix.extname(pyStr(v));
    return [pyStr(v).slice(0, pyStr(v).length - ext.length), ext];
  },
  realpath: (v) => posix.resolve(pyStr(v)),
  expanduser: (v) => pyStr(v).replace(/^~(?=\/|$)/, process.env.HOME ?? '~'),
  wordcount: (v) => pyStr(v).split(/\s+/).filter(Boolean).length,
  type_debug: (v) =>
    v === null
      ? 'NoneType'
      : Array.isArray(v)
        ? 'list'
        : isObj(v)
          ? 'dict'
          : typeof v === 'string'
            ? 'str'
            : typeof v === 'boolean'
              ? 'bool'
              : isFloat(v)
                ? 'float'
                : 'int',
  version: (v) => versionOf(v),
};
FILTERS.d = FILTERS.default;

/** Python's `+`: numbers add, strings and lists concatenate. */
export const plus = (a: unknown, b: unknown): unknown => {
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  if ((isNumber(a) || typeof a === 'boolean') && (isNumber(b) || typeof b === 'boolean')) return numberResult(Number(a) + Number(b), a, b);
  throw new FilterError(`unsupported operand types for +: ${pyRepr(a)} and ${pyRepr(b)}`);
};

/** Python's str.split: no separator splits on runs of whitespace. */
export const pySplit = (s: string, sep: string | undefined, max = -1): string[] => {
  if (sep === undefined) {
    const parts = s.trim().split(/\s+/).filter(Boolean);
    return max < 0 || parts.length <= max + 1 ? parts : [...parts.slice(0, max), s.trim().split(/\s+/).slice(max).join(' ')];
  }
  const parts = s.split(sep);
  return max < 0 || parts.length <= max + 1 ? parts : [...parts.slice(0, max), parts.slice(max).join(sep)];
};

/** Python's `%` formatting of a string (`'%s-%d' % (a, 3)`, `'%.2f' | format(x)`). */
export const pyFormat = (fmt: string, args: unknown[]): string => {
  let i = 0;
  return fmt.replace(/%([-+ 0#]*)(\d+)?(?:\.(\d+))?([sdifrxXo%])/g, (_m, flags: string, width: string | undefined, prec: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    const v = args[i++];
    let out: string;
    if (conv === 's') out = pyStr(v);
    else if (conv === 'r') out = pyRepr(v);
    else if (conv === 'd' || conv === 'i') out = String(Math.trunc(Number(v)));
    else if (conv === 'f') out = Number(v).toFixed(prec === undefined ? 6 : Number(prec));
    else if (conv === 'x') out = Math.trunc(Number(v)).toString(16);
    else if (conv === 'X') out = Math.trunc(Number(v)).toString(16).toUpperCase();
    else out = Math.trunc(Number(v)).toString(8);
    if (flags.includes('+') && Number(v) >= 0 && conv !== 's' && conv !== 'r') out = `+${out}`;
    const w = width === undefined ? 0 : Number(width);
    if (out.length >= w) return out;
    if (flags.includes('-')) return out.padEnd(w);
    return flags.includes('0') && conv !== 's' ? out.padStart(w, '0') : out.padStart(w);
  });
};
