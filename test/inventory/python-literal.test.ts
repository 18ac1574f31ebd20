import { describe, expect, it } from 'vitest';
import { parseIniValue } from '../../lib/inventory/python-literal.js';
import { pyFloat } from '../../lib/template/py-float.js';

describe('parseIniValue (ast.literal_eval, else the text)', () => {
  it.each([
    ['8080', 8080],
    ['-5', -5],
    ['0.5', 0.5],
    ['1e3', pyFloat(1000)],
    ['1.0', pyFloat(1)],
    ['-2.0', pyFloat(-2)],
    ['0x1F', 31],
    ['0o17', 15],
    ['1_000', 1000],
    ['True', true],
    ['False', false],
    ['None', null],
    ["'8080'", '8080'],
    ['"a b"', 'a b'],
    ["'it\\'s'", "it's"],
    ["'tab\\there'", 'tab\there'],
    ["r'a\\nb'", 'a\\nb'],
    ["'a' 'b'", 'ab'],
    ["[1, 'two', None]", [1, 'two', null]],
    ['(1, 2)', [1, 2]],
    ['1, 2', [1, 2]],
    ['{1, 2}', [1, 2]],
    ["{'a': 1, 'b': [2, 3]}", { a: 1, b: [2, 3] }],
    ['{}', {}],
    ['8080 # trailing comment', 8080],
  ])('%s → a Python literal', (text, expected) => {
    expect(parseIniValue(text)).toEqual(expected);
  });

  it.each([
    'true',
    'yes',
    'bar # not removed',
    'hello world',
    '10.0.0.1',
    '0755',
    '1.2.3',
    '',
    ' 5',
    "'unterminated",
    '[1, 2',
    'Qwen/Qwen3-32B-FP8',
    '99999999999999999999',
  ])('%j stays text', (text) => {
    expect(parseIniValue(text)).toBe(text);
  });
});
