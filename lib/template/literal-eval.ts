import jsep from 'jsep';
// the jsep this parses with is set up (operators, object literals) by the expression module
import './expression.js';
import { isNumber, numberResult, pyFloat } from './py-float.js';
import { tuple } from './python-repr.js';

/**
 * Python's ast.literal_eval as Ansible 2.14 applies it to a template's output (native_helpers.py
 * ansible_eval_concat): strings, numbers, lists, tuples, dicts, True/False/None, and JSON's
 * true/false/null. Anything else (a name, a call, an operator) is not a literal: `NOT_LITERAL`.
 */
export const NOT_LITERAL: unique symbol = Symbol('notLiteral');

type Node = jsep.Expression;

const NAMES: Record<string, unknown> = { True: true, False: false, None: null, true: true, false: false, null: null };

class NotLiteral extends Error {}

const literal = (node: Node): unknown => {
  switch (node.type) {
    case 'Literal': {
      const lit = node as jsep.Literal;
      if (typeof lit.value === 'number') return /[.eE]/.test(lit.raw) ? pyFloat(lit.value) : lit.value;
      if (typeof lit.value === 'string' && /^['"]/.test(lit.raw)) return lit.value;
      // JSON's true, false and null (Ansible turns them into Python's names first)
      if (lit.value === null || typeof lit.value === 'boolean') return lit.value;
      throw new NotLiteral();
    }
    case 'Identifier': {
      const name = (node as jsep.Identifier).name;
      if (Object.hasOwn(NAMES, name)) return NAMES[name];
      throw new NotLiteral();
    }
    case 'UnaryExpression': {
      const u = node as jsep.UnaryExpression;
      const v = literal(u.argument);
      if ((u.operator !== '-' && u.operator !== '+') || !isNumber(v)) throw new NotLiteral();
      return numberResult(u.operator === '-' ? -Number(v) : Number(v), v);
    }
    case 'ArrayExpression':
      return (node as jsep.ArrayExpression).elements.map((e) => {
        if (!e) throw new NotLiteral();
        return literal(e);
      });
    case 'SequenceExpression':
      return tuple(...(node as unknown as { expressions: Node[] }).expressions.map(literal));
    case 'ObjectExpression':
      return Object.fromEntries(
        (node as unknown as { properties: { key: Node; value?: Node; computed: boolean; shorthand?: boolean }[] }).properties.map((p) => {
          if (!p.value || (p.key.type === 'Identifier' && !p.computed && !Object.hasOwn(NAMES, (p.key as jsep.Identifier).name))) throw new NotLiteral();
          const key = literal(p.key);
          return [typeof key === 'string' ? key : String(key), literal(p.value)];
        }),
      );
    default:
      throw new NotLiteral();
  }
};

/** The value a Python literal stands for, or NOT_LITERAL. */
export const literalEval = (text: string): unknown => {
  try {
    return literal(jsep(text));
  } catch {
    return NOT_LITERAL;
  }
};
