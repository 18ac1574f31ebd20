import jsep from 'jsep';
import { parseBoolean } from './boolean.js';

/**
 * Ansible-style conditions (`when`, `until`, `failed_when`, `assert that`) evaluated without eval:
 * jsep parses, this walks the tree. Supports and/or/not, in, `not in`, comparisons, attribute and
 * index access, literals, lists, `x is [not] defined|undefined|none|changed|failed|succeeded|skipped`,
 * and filters written `x | int`, `x | default(y)`.
 */
jsep.addBinaryOp('or', 1);
jsep.addBinaryOp('and', 2);
jsep.addBinaryOp('in', 7);
jsep.addBinaryOp('notin', 7);
jsep.addBinaryOp('is', 7);
jsep.addUnaryOp('not');
// filters bind tighter than any operator, as in Jinja: `x | int + 1` is `(x | int) + 1`
jsep.addBinaryOp('|', 12);

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

const UNDEFINED = Symbol('undefined');
const CONSTANTS: Record<string, unknown> = { True: true, False: false, None: null, true: true, false: false, null: null };

// `a not in b` has a space jsep cannot express as one operator; rewrite it outside string literals.
const rewriteNotIn = (expr: string): string =>
  expr.replace(/("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|\bnot\s+in\b/g, (_m, quoted: string | undefined) => quoted ?? 'notin');

const stripMustache = (expr: string): string => {
  const m = /^\s*\{\{(.*)\}\}\s*$/s.exec(expr);
  return m ? m[1] : expr;
};

const truthy = (v: unknown): boolean => {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  if (typeof v === 'string') return v.length > 0 && !['false', 'no', 'off', '0'].includes(v.toLowerCase());
  return Boolean(v);
};

// `x | bool`: the same strict conversion as every other boolean (a typo is an error, not false)
const toBool = (v: unknown): boolean | null => (v === null ? null : parseBoolean(v, "the 'bool' filter"));

const lengthOf = (v: unknown): number => {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (v && typeof v === 'object') return Object.keys(v).length;
  return 0;
};

const FILTERS: Record<string, (value: unknown, ...args: unknown[]) => unknown> = {
  int: (v) => Number.parseInt(String(v), 10) || 0,
  float: (v) => Number.parseFloat(String(v)) || 0,
  bool: toBool,
  string: (v) => (v === UNDEFINED ? '' : String(v)),
  length: lengthOf,
  count: lengthOf,
  lower: (v) => String(v).toLowerCase(),
  upper: (v) => String(v).toUpperCase(),
  trim: (v) => String(v).trim(),
  default: (v, d) => (v === UNDEFINED ? d : v),
  d: (v, d) => (v === UNDEFINED ? d : v),
  first: (v) => (Array.isArray(v) ? v[0] : undefined),
  last: (v) => (Array.isArray(v) ? v[v.length - 1] : undefined),
};

const resultTest = (name: string, v: unknown): boolean => {
  const r = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  switch (name) {
    case 'changed':
      return r.changed === true;
    case 'failed':
    case 'failure':
      return r.failed === true;
    case 'succeeded':
    case 'success':
      return r.failed !== true;
    case 'skipped':
      return r.skipped === true;
    default:
      throw new Error(`unknown test '${name}'`);
  }
};

const applyTest = (value: unknown, test: Node, expr: string): boolean => {
  if (test.type === 'UnaryExpression' && (test as jsep.UnaryExpression).operator === 'not') {
    return !applyTest(value, (test as jsep.UnaryExpression).argument, expr);
  }
  if (test.type !== 'Identifier') throw new ExpressionError('expected a test name after "is"', expr);
  const name = (test as jsep.Identifier).name;
  if (name === 'defined') return value !== UNDEFINED;
  if (name === 'undefined') return value === UNDEFINED;
  if (value === UNDEFINED) throw new ExpressionError(`undefined variable tested with '${name}'`, expr);
  if (name === 'none') return value === null;
  if (name === 'string') return typeof value === 'string';
  if (name === 'number') return typeof value === 'number';
  if (name === 'mapping') return value !== null && typeof value === 'object' && !Array.isArray(value);
  if (name === 'sequence' || name === 'iterable') return Array.isArray(value) || typeof value === 'string';
  return resultTest(name, value);
};

const member = (obj: unknown, key: unknown): unknown => {
  if (obj === UNDEFINED || obj === null || obj === undefined) return UNDEFINED;
  if (typeof obj !== 'object' && typeof obj !== 'string') return UNDEFINED;
  const k = String(key);
  if (!Object.hasOwn(Object(obj), k)) {
    if (typeof obj === 'string' && k === 'length') return obj.length;
    return UNDEFINED;
  }
  return (obj as Record<string, unknown>)[k];
};

const compare = (op: string, a: unknown, b: unknown): boolean => {
  switch (op) {
    case '==':
    case '===':
      return a === b || (typeof a === 'object' && JSON.stringify(a) === JSON.stringify(b));
    case '!=':
    case '!==':
      return !compare('==', a, b);
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

const contains = (haystack: unknown, needle: unknown): boolean => {
  if (typeof haystack === 'string') return haystack.includes(String(needle));
  if (Array.isArray(haystack)) return haystack.some((h) => compare('==', h, needle));
  if (haystack && typeof haystack === 'object') return Object.hasOwn(haystack, String(needle));
  return false;
};

const ARITHMETIC: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '%': (a, b) => a % b,
};

const applyFilter = (value: unknown, filter: Node, vars: Vars, expr: string): unknown => {
  const call = filter.type === 'CallExpression' ? (filter as jsep.CallExpression) : undefined;
  const target = call ? call.callee : filter;
  if (target.type !== 'Identifier') throw new ExpressionError('expected a filter name after "|"', expr);
  const name = (target as jsep.Identifier).name;
  const fn = FILTERS[name];
  if (!fn) throw new ExpressionError(`unknown filter '${name}'`, expr);
  const args = (call?.arguments ?? []).map((a) => defined(walk(a, vars, expr), a, expr));
  if (value === UNDEFINED && name !== 'default' && name !== 'd' && name !== 'string') {
    throw new ExpressionError('undefined variable', expr);
  }
  return fn(value, ...args);
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

const defined = (v: unknown, node: Node, expr: string): unknown => {
  if (v === UNDEFINED) throw new ExpressionError(`'${nameOf(node)}' is undefined`, expr);
  return v;
};

const walkBinary = (n: jsep.BinaryExpression, vars: Vars, expr: string): unknown => {
  const op = n.operator;
  if (op === 'is') return applyTest(walk(n.left, vars, expr), n.right, expr);
  if (op === '|') return applyFilter(walk(n.left, vars, expr), n.right, vars, expr);
  const left = () => defined(walk(n.left, vars, expr), n.left, expr);
  const right = () => defined(walk(n.right, vars, expr), n.right, expr);
  if (op === 'and' || op === '&&') return truthy(left()) && truthy(right());
  if (op === 'or' || op === '||') return truthy(left()) || truthy(right());
  if (op === 'in') return contains(right(), left());
  if (op === 'notin') return !contains(right(), left());
  const arith = ARITHMETIC[op];
  if (arith) {
    const [a, b] = [left(), right()];
    if (op === '+' && (typeof a === 'string' || typeof b === 'string')) return `${a}${b}`;
    return arith(Number(a), Number(b));
  }
  return compare(op, left(), right());
};

const walk = (node: Node, vars: Vars, expr: string): unknown => {
  switch (node.type) {
    case 'Literal':
      return (node as jsep.Literal).value;
    case 'Identifier': {
      const name = (node as jsep.Identifier).name;
      if (Object.hasOwn(vars, name)) return vars[name];
      if (name in CONSTANTS) return CONSTANTS[name];
      return UNDEFINED;
    }
    case 'MemberExpression': {
      const m = node as jsep.MemberExpression;
      const obj = walk(m.object, vars, expr);
      const key = m.computed ? defined(walk(m.property, vars, expr), m.property, expr) : (m.property as jsep.Identifier).name;
      return member(obj, key);
    }
    case 'ArrayExpression':
      return (node as jsep.ArrayExpression).elements.map((e) => (e ? defined(walk(e, vars, expr), e, expr) : null));
    case 'UnaryExpression': {
      const u = node as jsep.UnaryExpression;
      const v = defined(walk(u.argument, vars, expr), u.argument, expr);
      if (u.operator === 'not' || u.operator === '!') return !truthy(v);
      if (u.operator === '-') return -Number(v);
      if (u.operator === '+') return Number(v);
      throw new ExpressionError(`operator '${u.operator}' is not supported`, expr);
    }
    case 'BinaryExpression':
      return walkBinary(node as jsep.BinaryExpression, vars, expr);
    case 'ConditionalExpression': {
      const c = node as jsep.ConditionalExpression;
      return truthy(walk(c.test, vars, expr)) ? walk(c.consequent, vars, expr) : walk(c.alternate, vars, expr);
    }
    default:
      throw new ExpressionError(`'${node.type}' is not allowed in a condition`, expr);
  }
};

const parsed = new Map<string, Node>();

const parse = (expr: string): Node => {
  const hit = parsed.get(expr);
  if (hit) return hit;
  try {
    const node = jsep(rewriteNotIn(stripMustache(expr)));
    parsed.set(expr, node);
    return node;
  } catch (e) {
    throw new ExpressionError(e instanceof Error ? e.message : String(e), expr);
  }
};

/** Check an expression's syntax without evaluating it (playbook validation). */
export const checkExpression = (expr: string): void => void parse(expr);

/** Evaluate an expression; an undefined variable (outside `is defined` and `default`) is an error naming it. */
export const evaluate = (expr: string | boolean | number, vars: Vars): unknown => {
  if (typeof expr !== 'string') return expr;
  const root = parse(expr);
  try {
    return defined(walk(root, vars, expr), root, expr);
  } catch (e) {
    if (e instanceof ExpressionError) throw e;
    throw new ExpressionError(e instanceof Error ? e.message : String(e), expr);
  }
};

/** Evaluate a condition (or a list of them, all of which must hold) to a boolean. */
export const condition = (expr: string | boolean | number | (string | boolean)[], vars: Vars): boolean =>
  Array.isArray(expr) ? expr.every((e) => truthy(evaluate(e, vars))) : truthy(evaluate(expr, vars));
