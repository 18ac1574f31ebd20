import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { gpuInfoSettings } from '../../lib/cli/gpu-info-command.js';
import { hostVars, loadInventory } from '../../lib/inventory/index.js';
import { parseConverted } from '../../lib/modules/converted-args.js';
import { lazyVars } from '../../lib/runner/lazy-vars.js';
import { evaluate } from '../../lib/template/expression.js';
import { literalEval, NOT_LITERAL } from '../../lib/template/literal-eval.js';
import { floatRepr, isFloat, pyFloat } from '../../lib/template/py-float.js';
import { renderString, renderValue } from '../../lib/template/render.js';
import { parseAnsibleYaml } from '../../lib/yaml/ansible-yaml.js';
import { conformanceDir } from '../conformance/harness/case.js';

// every expected text below is what ansible-playbook (ansible-core 2.14, Python 3.11) printed for the same template
const vars = { n: 3, f: 2.0, pf: pyFloat(2), sizes: [1.5, 2.5], word: 'True', listy: "[1, 'a']", nothing: null };
const text = (template: string) => renderString(template, vars);

describe('Python int and float in templates', () => {
  it.each([
    ['{{ 4/2 }}', '2.0'],
    ['{{ 7//2 }}', '3'],
    ['{{ 10/4 }}', '2.5'],
    ['{{ 2*1.5 }}', '3.0'],
    ['{{ 7 % 3 }} {{ -7 % 3 }} {{ 7.5 % 2 }}', '1 2 1.5'],
    ['{{ 2**3 }} {{ 2**-1 }} {{ 2.0**2 }}', '8 0.5 4.0'],
    ['{{ -7 // 2 }} {{ 7 // -2.0 }} {{ 3.0 // 2 }}', '-4 -4.0 1.0'],
    ['{{ 5 - 2.0 }} {{ -(4/2) }}', '3.0 -2.0'],
    ['{{ 3|float }} {{ "3"|float }} {{ "x"|float }}', '3.0 3.0 0.0'],
    ["{{ '3.0'|int }} {{ 2.0|int }} {{ 2.5|int }}", '3 2 2'],
    ['{{ 3.5|round }} {{ 2.5|round }} {{ 3.14159|round(2) }} {{ 2.7|round(0, "floor") }}', '4.0 2.0 3.14 2.0'],
    ['{{ sizes|sum }} {{ [1, 2]|sum }} {{ [1, 2.0]|max }} {{ [1.0, 2]|min }}', '4.0 3 2.0 1.0'],
    ['{{ -2.0|abs }} {{ 3|abs }} {{ "abc"|length }}', '2.0 3 3'],
    ['{{ 1e3 }} {{ (4/2)|string }} {{ 1e20 }} {{ 1e16 }} {{ 1.5e-7 }} {{ 10 ** 20 }}', '1000.0 2.0 1e+20 1e+16 1.5e-07 100000000000000000000'],
    ['{{ 0.1 + 0.2 }} {{ 1/3 }}', '0.30000000000000004 0.3333333333333333'],
    ['{{ [1.0, 2, 4/2] }} {{ {"two": 4/2} }}', "[1.0, 2, 2.0] {'two': 2.0}"],
    ['{{ 2.0 == 2 }} {{ 4/2 in [2] }} {{ 3 > 2.5 }} {{ range(3) }}', 'True True True [0, 1, 2]'],
    ['{{ [4/2, 1] | to_json }} {{ {"a": 4/2} | to_nice_json }}', '[2.0, 1] {\n    "a": 2.0\n}'],
    ['{{ [4/2, 1, 1e20] | to_yaml }}', '[2.0, 1, 1.0e+20]\n'],
    ['{{ {"b": 2.5, "a": 4/2} | to_nice_yaml }}', 'a: 2.0\nb: 2.5\n'],
    [
      '{{ (4/2) | type_debug }} {{ 1e3 | type_debug }} {{ n | type_debug }} {{ (7 // 2) | type_debug }} {{ (sizes|sum) | type_debug }}',
      'float float int int float',
    ],
    ['{{ "%s %d" % (4/2, 4/2) }} {{ [4/2] | join(",") }}', '2.0 2 2.0'],
  ])('%s', (template, expected) => {
    expect(text(template)).toBe(expected);
  });

  it('keeps a float a float through a condition and a variable set in the template', () => {
    expect(evaluate('n * 2 == 6.0', vars)).toBe(true);
    expect(text('{% set x = 4 / 2 %}{{ x }} {{ x + 1 }} {{ x is float }} {{ n is integer }}')).toBe('2.0 3.0 True True');
  });

  it("prints floats as Python's repr does", () => {
    expect([0.5, 100, 1e16, 1e-5, 0.0001, 123456789012345.6, -0, Number.NaN, Number.POSITIVE_INFINITY].map(floatRepr)).toEqual([
      '0.5',
      '100.0',
      '1e+16',
      '1e-05',
      '0.0001',
      '123456789012345.6',
      '-0.0',
      'nan',
      'inf',
    ]);
  });
});

describe("a value's type after templating, as Ansible 2.14's (jinja2_native off)", () => {
  it.each([
    ['{{ n + 1 }}', '4'],
    ['{{ 4 / 2 }}', '2.0'],
    ['{{ n }}', 3],
    ['{{ f }}', 2],
    ['{{ pf }}', pyFloat(2)],
    ['{{ nothing }}', null],
    ['{{ None }}', ''],
    ['{{ n > 2 }}', true],
    ["{{ [n, 'x'] }}", [3, 'x']],
    ["{{ {'k': n} }}", { k: 3 }],
    ['{{ word }}', true],
    ['{{ listy }}', [1, 'a']],
    ['{{ \'{"a": true, "b": null}\' }}', { a: true, b: null }],
    ['[{{ n }}, {{ n + 1 }}]', [3, 4]],
    ["{{ {'a': [1, 2]} | to_json }}", '{"a": [1, 2]}'],
    ["{{ [1, 2] | to_json }}{{ '' }}", [1, 2]],
    ["{{ '[a, b]' }}", '[a, b]'],
    ['[a, b]', '[a, b]'],
    ['{{ n + 1 }}\n', '4\n'],
    [' {{ [1] }}', ' [1]'],
  ])('%j', (template, expected) => {
    expect(renderValue(template, vars)).toEqual(expected);
  });

  it("looks at a lazy variable as written: a template's number is text, a plain number stays one", () => {
    const scope = lazyVars({ n: 3, sum: '{{ 1 + 2 }}', alias: '{{ n }}', pair: '{{ [n, 4 / 2] }}' });
    expect(renderValue('{{ sum }}', scope)).toBe('3');
    expect(renderValue('{{ alias }}', scope)).toBe('3');
    expect(renderValue('{{ n }}', scope)).toBe(3);
    expect(renderValue('{{ pair }}', scope)).toEqual([3, pyFloat(2)]);
  });

  it('keeps a float a float in a value, for the templates that read it later', () => {
    const fact = renderValue('{{ [4 / 2, 1.5] }}', vars);
    expect(renderString('{{ fact }} {{ fact[0] | type_debug }}', { fact })).toBe('[2.0, 1.5] float');
    const looped = renderValue('{{ item }}', { item: (fact as unknown[])[0] });
    expect(isFloat(looped)).toBe(true);
  });
});

describe('YAML floats', () => {
  it("reads a playbook's 1.0 as a Python float, an inventory's as a number", () => {
    const playbook = parseAnsibleYaml('v: 1.0\nw: 1.5\nn: 1\n', { pythonFloats: true }).value as Record<string, unknown>;
    expect(renderString('{{ v }} {{ w }} {{ n }} {{ v | type_debug }}', playbook)).toBe('1.0 1.5 1 float');
    expect((parseAnsibleYaml('v: 1.0\n').value as Record<string, unknown>).v).toBe(1);
  });
});

describe('literal_eval', () => {
  it('reads Python literals and refuses anything else', () => {
    expect(literalEval("[1, 'a', (2, 3), {'k': None}, True, -1.5]")).toEqual([1, 'a', [2, 3], { k: null }, true, -1.5]);
    expect(literalEval('[a]')).toBe(NOT_LITERAL);
    expect(literalEval('[1 + 2]')).toBe(NOT_LITERAL);
    expect(literalEval('{x: 1}')).toBe(NOT_LITERAL);
  });
});

describe("module arguments converted as Ansible's argument_spec converts them", () => {
  const schema = z.strictObject({ timeout: z.number().int(), delay: z.union([z.number(), z.literal('auto')]), force: z.boolean(), name: z.string() });

  it('converts template text to the numbers and booleans a schema asks for', () => {
    const res = parseConverted(schema, { timeout: '5', delay: '1.5', force: 'True', name: '7' });
    expect(res.success && res.data).toEqual({ timeout: 5, delay: 1.5, force: true, name: '7' });
  });

  it('takes a Python float as its number, or as its text where text is asked for', () => {
    const float = renderValue('{{ f }}', { f: pyFloat(2) });
    const res = parseConverted(schema, { timeout: float, delay: float, force: true, name: float });
    expect(res.success && res.data).toEqual({ timeout: 2, delay: 2, force: true, name: '2.0' });
  });

  it('keeps the error of text that is no number', () => {
    const res = parseConverted(schema, { timeout: 'soon', delay: 1, force: true, name: 'x' });
    expect(res.success).toBe(false);
  });
});

describe('inventory variables keep Python floats', () => {
  // a YAML inventory, group_vars and an INI inventory (test/conformance/inventories/floats, recorded views there)
  const source = join(conformanceDir(), 'inventories', 'floats', 'inventory');

  // what `ansible all -i <that inventory> -m debug -a 'msg=...'` printed (ansible-core 2.14)
  it('prints 1.0 as 1.0 in templates, from YAML, group_vars and INI', async () => {
    const inv = await loadInventory([source]);
    expect(renderString('{{ whole }} {{ exp_float }} {{ whole + 1 }} {{ listed }} {{ nested }} {{ ratio }}', hostVars(inv, 'web1'))).toBe(
      "1.0 2500.0 2.0 [1.0, 2, 3.5] {'ratio': 2.0} 4.0",
    );
    expect(renderString('{{ whole }} {{ exp_float }} {{ exponent }} {{ negative }} {{ integer }} {{ group_float }}', hostVars(inv, 'db1'))).toBe(
      '1.0 2500.0 1000.0 -2.0 8 5.0',
    );
  });

  it("reaches nop's own settings as its number (gpu-info's gpu_override, as the role variable is converted)", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nop-floats-'));
    try {
      const file = join(dir, 'hosts.yml');
      await writeFile(file, 'all:\n  hosts:\n    gpu1:\n      gpu_override: {gpu_memory_utilization: 1.0, max_model_len: 8192}\n');
      const settings = gpuInfoSettings(hostVars(await loadInventory([file]), 'gpu1'));
      expect(settings.success && settings.data.gpu_override).toEqual({ gpu_memory_utilization: 1, max_model_len: 8192 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
