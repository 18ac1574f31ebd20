import jsep from 'jsep';
import jsepObject from '@jsep-plugin/object';
import { FILTERS, FilterError, plus, pyFormat, pySplit, truthy } from './filters.js';
import { lookup, type LookupEnv } from './lookups.js';
import { numberResult, PyFloat, plainNumber, pyFloat } from './py-float.js';
import { pyRepr, pyStr, tuple } from './python-repr.js';
import { contains, TESTS } from './tests.js';

/**
 * Jinja2 expressions as Ansible writes them (`when`, `until`, `{{ }}` in values and templates), evaluated
 * without eval: jsep parses, this walks the tree. Python's semantics where they show: truthiness of empty
 * lists, `True`/`None`, `+` on lists, `%` formatting, `//`, `**`, `~`, `x if c else y`, string and dict
 * methods, filters (`x | default(1)`), tests (`x is version('1.2', '>=')`), lookups and macros.
 */
jsep.plugins.register(jsepObject);
jsep.addBinaryOp('or', 1);
jsep.addBinaryOp('and', 2);
jsep.addBinaryOp('in', 7);
jsep.addBinaryOp('notin', 7);
jsep.addBinaryOp('is', 7);
jsep.addBinaryOp('~', 9);
jsep.addBinaryOp('//', 10);
jsep.addBinaryOp('**', 11, true);
jsep.addUnaryOp('not');
// filters bind tighter than any operator, as in Jinja: `x | int + 1` is `(x | int) + 1`
jsep.addBinaryOp('|', 12);
// `a if c else b` binds loosest; `name=value` in a call's arguments is a keyword argument
jsep.addBinaryOp('if', 0.6);
jsep.addBinaryOp('else', 0.3);
jsep.addBinaryOp('=', 0.1);

export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly expression: string,
  ) {
    super(`${message} (in "${expression}")`);
    this.name = 'ExpressionError';
  }
}

type Node = jsep.Expression;
type Vars = Record<string, unknown>;

/** A value that is not defined: carries its name, so using it is an error naming it (Ansible's StrictUndefined). */
export class Undefined {
  constructor(readonly name: string) {}
}
export const isUndefined = (v: unknown): v is Undefined => v instanceof Undefined;

/** A `{% macro %}`, called like a function from an expression. */
export class Macro {
  constructor(
    readonly name: string,
    readonly call: (args: unknown[], kwargs: Record<string, unknown>) => string,
  ) {}
}

/** The callbacks an expression may need beyond its variables: rendering a template (the template lookup). */
export interface EvalEnv {
  renderTemplate?(text: string, vars: Vars): string;
}

const CONSTANTS: Record<string, unknown> = { True: true, False: false, None: null, true: true, false: false, none: null, null: null };

// `a not in b` has a space jsep cannot express as one operator; rewrite it outside string literals.
const rewriteNotIn = (expr: string): string =>
  expr.replace(/("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|\bnot\s+in\b/g, (_m, quoted: string | undefined) => quoted ?? 'notin');

// `item.0`: Jinja's attribute access by an integer, which jsep reads as a number; written as `item[0]`
const rewriteIndexAttributes = (expr: string): string => {
  let out = expr;
  for (let prev = ''; prev !== out; ) {
    prev = out;
    out = out.replace(
      /("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|([A-Za-z_]\w*|\]|\))\.(\d+)\b/g,
      (_m, quoted: string | undefined, before: string, n: string) => quoted ?? `${before}[${n}]`,
    );
  }
  return out;
};

const stripMustache = (expr: string): string => {
  const m = /^\s*\{\{(.*)\}\}\s*$/s.exec(expr);
  return m ? m[1] : expr;
};

const nameOf = (node: Node): string => {
  if (node.type === 'Identifier') return (node as jsep.Identifier).name;
  if (node.type === 'MemberExpression') {
    const m = node as jsep.MemberExpression;
    const prop = m.computed ? `[${JSON.stringify((m.property as jsep.Literal).value ?? '?')}]` : `.${nameOf(m.property)}`;
    return `${nameOf(m.object)}${prop}`;
  }
  return '(expression)';
};

class Walker {
  constructor(
    readonly vars: Vars,
    readonly expr: string,
    readonly env: EvalEnv,
  ) {}

  fail(message: string): never {
    throw new ExpressionError(message, this.expr);
  }

  defined(v: unknown): unknown {
    if (isUndefined(v)) this.fail(`'${v.name}' is undefined`);
    return v;
  }

  value(node: Node): unknown {
    return this.defined(this.walk(node));
  }

  args(nodes: Node[]): { args: unknown[]; kwargs: Record<string, unknown> } {
    const args: unknown[] = [];
    const kwargs: Record<string, unknown> = {};
    for (const n of nodes) {
      const b = n as jsep.BinaryExpression;
      if (n.type === 'BinaryExpression' && b.operator === '=' && b.left.type === 'Identifier') kwargs[(b.left as jsep.Identifier).name] = this.value(b.right);
      else args.push(this.value(n));
    }
    return { args, kwargs };
  }

  filterEnv() {
    return {
      test: (name: string, value: unknown, args: unknown[]) => this.test(name, value, args, {}),
      filter: (name: string, value: unknown, args: unknown[], kwargs: Record<string, unknown>) => this.filter(name, value, args, kwargs),
      isUndefined,
    };
  }

  filter(name: string, value: unknown, args: unknown[], kwargs: Record<string, unknown>): unknown {
    const fn = FILTERS[name];
    if (!fn) this.fail(`no filter named '${name}'`);
    if (isUndefined(value) && name !== 'default' && name !== 'd' && name !== 'mandatory') this.defined(value);
    return fn(value, args, kwargs, this.filterEnv());
  }

  test(name: string, value: unknown, args: unknown[], kwargs: Record<string, unknown>): boolean {
    if (name === 'defined') return !isUndefined(value);
    if (name === 'undefined') return isUndefined(value);
    const fn = TESTS[name];
    if (!fn) this.fail(`no test named '${name}'`);
    return fn(this.defined(value), args, kwargs);
  }

  applyTest(value: unknown, test: Node): boolean {
    if (test.type === 'UnaryExpression' && (test as jsep.UnaryExpression).operator === 'not')
      return !this.applyTest(value, (test as jsep.UnaryExpression).argument);
    if (test.type === 'Literal' && [true, false, null].includes((test as jsep.Literal).value as boolean)) {
      return this.test(String((test as jsep.Literal).value === null ? 'none' : (test as jsep.Literal).value), value, [], {});
    }
    const call = test.type === 'CallExpression' ? (test as jsep.CallExpression) : undefined;
    const target = call ? call.callee : test;
    if (target.type !== 'Identifier') this.fail('expected a test name after "is"');
    const { args, kwargs } = this.args(call?.arguments ?? []);
    return this.test((target as jsep.Identifier).name, value, args, kwargs);
  }

  applyFilter(value: unknown, filter: Node): unknown {
    const call = filter.type === 'CallExpression' ? (filter as jsep.CallExpression) : undefined;
    const target = call ? call.callee : filter;
    if (target.type !== 'Identifier') this.fail('expected a filter name after "|"');
    const { args, kwargs } = this.args(call?.arguments ?? []);
    return this.filter((target as jsep.Identifier).name, value, args, kwargs);
  }

  member(obj: unknown, key: unknown, name: () => string): unknown {
    if (isUndefined(obj)) return new Undefined(obj.name);
    if (obj === null || obj instanceof PyFloat || (typeof obj !== 'object' && typeof obj !== 'string')) return new Undefined(name());
    if (Array.isArray(obj) || typeof obj === 'string') {
      const i = typeof key === 'number' ? key : /^-?\d+$/.test(String(key)) ? Number(key) : Number.NaN;
      if (Number.isInteger(i)) {
        const at = (obj as unknown[] | string).at(i);
        return at === undefined ? new Undefined(name()) : at;
      }
    }
    const k = String(key);
    if (!Object.hasOwn(Object(obj), k)) return new Undefined(name());
    return (obj as Record<string, unknown>)[k];
  }

  binary(n: jsep.BinaryExpression): unknown {
    const op = n.operator;
    if (op === 'is') return this.applyTest(this.walk(n.left), n.right);
    if (op === '|') return this.applyFilter(this.walk(n.left), n.right);
    if (op === 'else') return this.conditional(n);
    // without else, a false condition gives Jinja's default Undefined, which prints as nothing
    if (op === 'if') return truthy(this.value(n.right)) ? this.value(n.left) : '';
    if (op === '=') this.fail("'=' is only for keyword arguments (name=value) in a call");
    const left = () => this.value(n.left);
    const right = () => this.value(n.right);
    switch (op) {
      case 'and':
      case '&&': {
        const l = left();
        return truthy(l) ? right() : l;
      }
      case 'or':
      case '||': {
        const l = left();
        return truthy(l) ? l : right();
      }
      case 'in':
        return contains(right(), left());
      case 'notin':
        return !contains(right(), left());
      case '~':
        return pyStr(left()) + pyStr(right());
      case '+':
        return plus(left(), right());
      case '%': {
        const [a, b] = [left(), right()];
        if (typeof a === 'string') return pyFormat(a, Array.isArray(b) ? b : [b]);
        const d = this.divisor(b);
        return numberResult(((Number(a) % d) + d) % d, a, b);
      }
      case '-': {
        const [a, b] = [left(), right()];
        return numberResult(Number(a) - Number(b), a, b);
      }
      case '*': {
        const [a, b] = [left(), right()];
        if (typeof a === 'string') return a.repeat(Number(b));
        if (Array.isArray(a)) return Array.from({ length: Number(b) }, () => a).flat();
        return numberResult(Number(a) * Number(b), a, b);
      }
      case '/': {
        const [a, b] = [left(), right()];
        // Python's true division: always a float
        return pyFloat(Number(a) / this.divisor(b));
      }
      case '//': {
        const [a, b] = [left(), right()];
        return numberResult(Math.floor(Number(a) / this.divisor(b)), a, b);
      }
      case '**': {
        const [a, b] = [left(), right()];
        // an int to a negative int power is a float in Python
        return Number(b) < 0 ? pyFloat(Number(a) ** Number(b)) : numberResult(Number(a) ** Number(b), a, b);
      }
      default:
        return compare(op, left(), right());
    }
  }

  divisor(b: unknown): number {
    if (Number(b) === 0) this.fail('division by zero');
    return Number(b);
  }

  // `a if c else b`: jsep reads it as (a if c) else b
  conditional(n: jsep.BinaryExpression): unknown {
    const cond = n.left as jsep.BinaryExpression;
    if (n.left.type !== 'BinaryExpression' || cond.operator !== 'if') this.fail("'else' without 'if'");
    return truthy(this.value(cond.right)) ? this.value(cond.left) : this.value(n.right);
  }

  call(n: jsep.CallExpression): unknown {
    const { args, kwargs } = this.args(n.arguments);
    if (n.callee.type === 'MemberExpression' && !(n.callee as jsep.MemberExpression).computed) {
      const m = n.callee as jsep.MemberExpression;
      const obj = this.value(m.object);
      const name = (m.property as jsep.Identifier).name;
      const prop = obj !== null && typeof obj === 'object' ? (obj as Record<string, unknown>)[name] : undefined;
      if (prop instanceof Macro) return prop.call(args, kwargs);
      return this.method(obj, name, args);
    }
    if (n.callee.type !== 'Identifier') this.fail('only functions, macros and methods can be called');
    const name = (n.callee as jsep.Identifier).name;
    const target = Object.hasOwn(this.vars, name) ? this.vars[name] : undefined;
    if (target instanceof Macro) return target.call(args, kwargs);
    return this.global(name, args, kwargs);
  }

  global(name: string, args: unknown[], kwargs: Record<string, unknown>): unknown {
    const env: LookupEnv = { vars: this.vars, renderTemplate: (text) => (this.env.renderTemplate ? this.env.renderTemplate(text, this.vars) : text) };
    switch (name) {
      case 'lookup':
        return lookup(args[0], args.slice(1), kwargs, env, false);
      case 'query':
      case 'q':
        return lookup(args[0], args.slice(1), kwargs, env, true);
      case 'range': {
        const [start, stop, step = 1] = args.length === 1 ? [0, args[0], 1] : args;
        const out: number[] = [];
        for (let i = Number(start); Number(step) > 0 ? i < Number(stop) : i > Number(stop); i += Number(step)) out.push(i);
        return out;
      }
      case 'dict':
        return { ...kwargs };
      case 'undef':
        return new Undefined(String(args[0] ?? 'undef()'));
      default:
        return this.fail(`'${name}' is not a function (nop has lookup, query, q, range, dict, undef and macros)`);
    }
  }

  method(obj: unknown, name: string, args: unknown[]): unknown {
    const fn = methodOf(obj, name);
    if (!fn) this.fail(`${pyRepr(obj).slice(0, 40)} has no method '${name}'`);
    return fn(...args);
  }

  walk(node: Node): unknown {
    switch (node.type) {
      case 'Literal': {
        const lit = node as jsep.Literal;
        // `2.0`, `1e3`: Python reads a literal with a point or an exponent as a float
        return typeof lit.value === 'number' && /[.eE]/.test(lit.raw) ? pyFloat(lit.value) : lit.value;
      }
      case 'Identifier': {
        const name = (node as jsep.Identifier).name;
        if (name in this.vars) return this.vars[name];
        if (name in CONSTANTS) return CONSTANTS[name];
        return new Undefined(name);
      }
      case 'MemberExpression': {
        const m = node as jsep.MemberExpression;
        const obj = this.walk(m.object);
        const key = m.computed ? this.value(m.property) : (m.property as jsep.Identifier).name;
        return this.member(obj, key, () => nameOf(node));
      }
      case 'ArrayExpression':
        return (node as jsep.ArrayExpression).elements.map((e) => (e ? this.value(e) : null));
      case 'SequenceExpression':
        return tuple(...(node as unknown as { expressions: Node[] }).expressions.map((e) => this.value(e)));
      case 'ObjectExpression':
        return Object.fromEntries(
          (node as unknown as { properties: { key: Node; value: Node; computed: boolean }[] }).properties.map((p) => [
            pyStr(p.key.type === 'Identifier' && !p.computed ? this.value(p.key) : this.value(p.key)),
            this.value(p.value),
          ]),
        );
      case 'UnaryExpression': {
        const u = node as jsep.UnaryExpression;
        const v = this.value(u.argument);
        if (u.operator === 'not' || u.operator === '!') return !truthy(v);
        if (u.operator === '-') return numberResult(-Number(v), v);
        if (u.operator === '+') return numberResult(Number(v), v);
        return this.fail(`operator '${u.operator}' is not supported`);
      }
      case 'BinaryExpression':
        return this.binary(node as jsep.BinaryExpression);
      case 'ConditionalExpression': {
        const c = node as jsep.ConditionalExpression;
        return truthy(this.value(c.test)) ? this.walk(c.consequent) : this.walk(c.alternate);
      }
      case 'CallExpression':
        return this.call(node as jsep.CallExpression);
      default:
        return this.fail(`'${node.type}' is not allowed in an expression`);
    }
  }
}

const compare = (op: string, x: unknown, y: unknown): boolean => {
  // 2.0 == 2, as in Python
  const [a, b] = [plainNumber(x), plainNumber(y)];
  const eq = () => a === b || (typeof a === 'object' && a !== null && JSON.stringify(a) === JSON.stringify(b));
  switch (op) {
    case '==':
    case '===':
      return eq();
    case '!=':
    case '!==':
      return !eq();
    case '<':
      return (a as number) < (b as number);
    case '<=':
      return (a as number) <= (b as number);
    case '>':
      return (a as number) > (b as number);
    case '>=':
      return (a as number) >= (b as number);
    default:
      throw new Error(`operator '${op}' is not supported`);
  }
};

// Python's methods of str, list and dict that templates call: a fixed table, never a JavaScript function of the data
const methodOf = (obj: unknown, name: string): ((...a: unknown[]) => unknown) | undefined => {
  if (typeof obj === 'string') {
    const s = obj;
    const strip = (chars: unknown, start: boolean, end: boolean) => {
      const set = chars === undefined || chars === null ? undefined : String(chars);
      const inSet = (c: string) => (set === undefined ? /\s/.test(c) : set.includes(c));
      let [i, j] = [0, s.length];
      while (start && i < j && inSet(s[i])) i++;
      while (end && j > i && inSet(s[j - 1])) j--;
      return s.slice(i, j);
    };
    const table: Record<string, (...a: unknown[]) => unknown> = {
      split: (sep, max) => pySplit(s, sep === undefined || sep === null ? undefined : String(sep), max === undefined ? -1 : Number(max)),
      rsplit: (sep) => pySplit(s, sep === undefined || sep === null ? undefined : String(sep)),
      splitlines: () => s.split(/\r?\n/).filter((l, i, a) => i < a.length - 1 || l !== ''),
      startswith: (p) => (Array.isArray(p) ? p.some((x) => s.startsWith(String(x))) : s.startsWith(String(p))),
      endswith: (p) => (Array.isArray(p) ? p.some((x) => s.endsWith(String(x))) : s.endsWith(String(p))),
      strip: (c) => strip(c, true, true),
      lstrip: (c) => strip(c, true, false),
      rstrip: (c) => strip(c, false, true),
      lower: () => s.toLowerCase(),
      upper: () => s.toUpperCase(),
      capitalize: () => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase(),
      title: () => s.replace(/\w\S*/g, (w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()),
      replace: (a, b) => s.split(String(a)).join(String(b)),
      find: (x) => s.indexOf(String(x)),
      index: (x) => s.indexOf(String(x)),
      count: (x) => s.split(String(x)).length - 1,
      join: (l) => (l as unknown[]).map(pyStr).join(s),
      format: (...a) => {
        let i = 0;
        return s.replace(/\{(\d*)\}/g, (_m, n: string) => pyStr(a[n === '' ? i++ : Number(n)]));
      },
      isdigit: () => /^\d+$/.test(s),
      isalpha: () => /^[a-zA-Z]+$/.test(s),
      isalnum: () => /^[a-zA-Z0-9]+$/.test(s),
      isspace: () => /^\s+$/.test(s),
      islower: () => s === s.toLowerCase() && s !== s.toUpperCase(),
      isupper: () => s === s.toUpperCase() && s !== s.toLowerCase(),
      zfill: (w) => s.padStart(Number(w), '0'),
      ljust: (w, c = ' ') => s.padEnd(Number(w), String(c)),
      rjust: (w, c = ' ') => s.padStart(Number(w), String(c)),
    };
    return table[name];
  }
  if (Array.isArray(obj)) {
    const l = obj;
    const table: Record<string, (...a: unknown[]) => unknown> = {
      index: (x) => l.findIndex((y) => JSON.stringify(y) === JSON.stringify(x)),
      count: (x) => l.filter((y) => JSON.stringify(y) === JSON.stringify(x)).length,
      append: (x) => {
        l.push(x);
        return null;
      },
      extend: (x) => {
        l.push(...(x as unknown[]));
        return null;
      },
    };
    return table[name];
  }
  if (obj !== null && typeof obj === 'object' && !(obj instanceof PyFloat)) {
    const d = obj as Record<string, unknown>;
    const table: Record<string, (...a: unknown[]) => unknown> = {
      items: () => Object.keys(d).map((k) => tuple(k, d[k])),
      keys: () => Object.keys(d),
      values: () => Object.keys(d).map((k) => d[k]),
      get: (k, dflt = null) => (Object.hasOwn(d, String(k)) ? d[String(k)] : dflt),
      update: (o) => {
        Object.assign(d, o);
        return null;
      },
    };
    return table[name];
  }
  return undefined;
};

const parsed = new Map<string, Node>();

const parse = (expr: string): Node => {
  const hit = parsed.get(expr);
  if (hit) return hit;
  try {
    const node = jsep(rewriteIndexAttributes(rewriteNotIn(stripMustache(expr))));
    parsed.set(expr, node);
    return node;
  } catch (e) {
    throw new ExpressionError(e instanceof Error ? e.message : String(e), expr);
  }
};

// Ansible's STRING_TYPE_FILTERS: their text is never read back as a list, a dict or a boolean
const STRING_TYPE_FILTERS = new Set(['string', 'to_json', 'to_nice_json', 'to_yaml', 'to_nice_yaml', 'ppretty', 'json']);

/** Whether the expression's last step is one of Ansible's STRING_TYPE_FILTERS (`x | to_json`). */
export const endsInStringFilter = (expr: string): boolean => {
  const node = parse(expr);
  if (node.type !== 'BinaryExpression' || (node as jsep.BinaryExpression).operator !== '|') return false;
  const f = (node as jsep.BinaryExpression).right;
  const target = f.type === 'CallExpression' ? (f as jsep.CallExpression).callee : f;
  return target.type === 'Identifier' && STRING_TYPE_FILTERS.has((target as jsep.Identifier).name);
};

/** Check an expression's syntax without evaluating it (playbook validation). */
export const checkExpression = (expr: string): void => void parse(expr);

/** Evaluate; an undefined result is returned as an Undefined (for a template's `{% if %}` and `default`). */
export const evaluateLoose = (expr: string, vars: Vars, env: EvalEnv = {}): unknown => {
  const w = new Walker(vars, expr, env);
  try {
    return w.walk(parse(expr));
  } catch (e) {
    if (e instanceof ExpressionError) throw e;
    throw new ExpressionError(e instanceof Error ? e.message : String(e), expr);
  }
};

/** Evaluate an expression; an undefined variable (outside `is defined` and `default`) is an error naming it. */
export const evaluate = (expr: string | boolean | number, vars: Vars, env: EvalEnv = {}): unknown => {
  if (typeof expr !== 'string') return expr;
  const v = evaluateLoose(expr, vars, env);
  if (isUndefined(v)) throw new ExpressionError(`'${v.name}' is undefined`, expr);
  return v;
};

/** A condition's truth: Python's, except that strings are read as Ansible reads a bare `when: "{{ x }}"` result ('false', 'no'... are false). */
const conditionTruth = (v: unknown): boolean => (typeof v === 'string' ? v.length > 0 && !['false', 'no', 'off', '0'].includes(v.toLowerCase()) : truthy(v));

/** Evaluate a condition (or a list of them, all of which must hold) to a boolean. */
export const condition = (expr: string | boolean | number | (string | boolean)[], vars: Vars): boolean =>
  Array.isArray(expr) ? expr.every((e) => conditionTruth(evaluate(e, vars))) : conditionTruth(evaluate(expr, vars));

export { FilterError };
