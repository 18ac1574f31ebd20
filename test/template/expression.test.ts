import { describe, expect, it } from 'vitest';
import { condition, evaluate } from '../../lib/template/expression.js';

const vars = { a: 1, r: { rc: 0, changed: true, stdout: 'hello' }, l: ['x', 'y'], s: 'yes', n: null };

describe('expression evaluator', () => {
  it.each([
    ['a == 1', true],
    ['r.rc != 0', false],
    ['r is changed', true],
    ['r is not failed', true],
    ['r is succeeded and r is not skipped', true],
    ['zz is defined', false],
    ['zz is not defined', true],
    ["'x' in l", true],
    ["'z' not in l", true],
    ["'not in' in l", false],
    ['s | bool', true],
    ['a > 0 and not (r.rc == 1)', true],
    ['zz | default(5)', 5],
    ['l | length == 2', true],
    ["'hell' in r.stdout", true],
    ['{{ a == 1 }}', true],
    ["r['rc'] == 0", true],
    ['a + 1 == 2', true],
    ['n is none', true],
    ['True and not False', true],
    ["'3' | int + 1", 4],
    ['a == 2 or r.stdout == "hello"', true],
  ])('%s → %s', (expr, expected) => {
    expect(evaluate(expr, vars)).toEqual(expected);
  });

  it('names the undefined variable', () => {
    expect(() => evaluate('zz == 1', vars)).toThrow(/'zz' is undefined/);
    expect(() => evaluate('r.missing.x == 1', vars)).toThrow(/'r.missing' is undefined/);
  });

  it('rejects syntax errors and anything that is not an expression of data', () => {
    expect(() => evaluate('a ==', vars)).toThrow(/in "a =="/);
    expect(() => evaluate('process.exit(1)', { process })).toThrow(/has no method 'exit'/);
  });

  it('treats a list of conditions as all of them', () => {
    expect(condition(['a == 1', 'r is changed'], vars)).toBe(true);
    expect(condition(['a == 1', 'r is failed'], vars)).toBe(false);
    expect(condition('s', vars)).toBe(true);
    expect(condition("'no'", vars)).toBe(false);
  });
});
