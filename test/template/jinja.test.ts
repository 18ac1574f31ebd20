import { describe, expect, it } from 'vitest';
import { renderString, renderValue, UndefinedVariableError } from '../../lib/template/render.js';
import { sha512Crypt } from '../../lib/template/sha-crypt.js';

const vars = {
  l: ['a', 'b'],
  b: true,
  n: null,
  c: false,
  d: { a: 1, b: 'two' },
  users: [
    { name: 'ann', admin: true },
    { name: 'bob', admin: false },
  ],
};

describe('Jinja2 expressions as Ansible evaluates them', () => {
  // each expected value was recorded with ansible-core 2.14 (debug: msg="…", same variables)
  it.each([
    ['{{ [3, 1, 2] | sort }}', [1, 2, 3]],
    ["{{ l | join(', ') }} {{ l | length }} {{ 'A' ~ 1 }} {{ [1, 2] + [3] }}", 'a, b 2 A1 [1, 2, 3]'],
    ['{{ b }} {{ n }} {{ 7 / 2 }} {{ 7 // 2 }} {{ 2 ** 10 }} {{ 7 % 3 }}', 'True  3.5 3 1024 1'],
    ["{{ 'x' if c else 'y' }} {{ 'a,b'.split(',') }} {{ 'abc'.startswith('a') }} {{ '%s-%d' % ('a', 3) }}", "y ['a', 'b'] True a-3"],
    ['{{ d | dict2items }} {{ d | dict2items | items2dict }}', "[{'key': 'a', 'value': 1}, {'key': 'b', 'value': 'two'}] {'a': 1, 'b': 'two'}"],
    [
      "{{ users | map(attribute='name') | list }} {{ users | selectattr('admin') | map(attribute='name') | join(',') }} {{ users | rejectattr('admin') | list | length }}",
      "['ann', 'bob'] ann 1",
    ],
    [
      '{{ [1, 2, 2, 3] | unique }} {{ [1, 2] | union([2, 3]) }} {{ [1, 2, 3] | difference([2]) }} {{ [1, 2, 3] | intersect([2, 3, 4]) }}',
      '[1, 2, 3] [1, 2, 3] [1, 3] [2, 3]',
    ],
    ['{{ [1, [2, [3]]] | flatten }} {{ [1, [2, [3]]] | flatten(levels=1) }}', '[1, 2, 3] [1, 2, [3]]'],
    ["{{ {'a': {'x': 1}, 'b': 2} | combine({'a': {'y': 2}}, recursive=True) }}", { a: { x: 1, y: 2 }, b: 2 }],
    ['{{ d | to_json }} {{ d | to_nice_json }}', '{"a": 1, "b": "two"} {\n    "a": 1,\n    "b": "two"\n}'],
    ["{{ '{\"k\": [1, 2]}' | from_json }} {{ 'k: v' | from_yaml }}", "{'k': [1, 2]} {'k': 'v'}"],
    [
      "{{ 'hello world' | regex_replace('o', '0') }} {{ 'abc123' | regex_search('[0-9]+') }} {{ 'a1b22' | regex_findall('[0-9]+') }}",
      "hell0 w0rld 123 ['1', '22']",
    ],
    ["{{ '/etc/x/y.conf' | basename }} {{ '/etc/x/y.conf' | dirname }} {{ 'hi' | b64encode }} {{ 'aGk=' | b64decode }}", 'y.conf /etc/x aGk= hi'],
    [
      "{{ 'x' | hash('sha256') }} {{ \"it's\" | quote }} {{ True | ternary('on', 'off') }} {{ 'yes' | bool }}",
      "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881 'it'\"'\"'s' on True",
    ],
    [
      "{{ '42' | int + 1 }} {{ '1.5' | float }} {{ 3 | string }} {{ ' A ' | trim | lower }} {{ [4, 9, 2] | min }} {{ [4, 9, 2] | max }} {{ [1, 2, 3] | sum }}",
      '43 1.5 3 a 2 9 6',
    ],
    ["{{ 'x' | comment }}", '#\n# x\n#'],
    ["{{ u | default('dflt') }} {{ '' | default('empty', true) }} {{ l | first }} {{ l | last }}", 'dflt empty a b'],
    [
      "{{ '1.10.2' is version('1.9', '>') }} {{ 'abc' is match('a') }} {{ 'abc' is search('c') }} {{ 2 in [1, 2] }} {{ [1] is subset([1, 2]) }} {{ [1, 2] is superset([1]) }}",
      'True True True True True True',
    ],
    ["{{ range(3) | list }} {{ 'a b  c'.split() }} {{ {'k': 'v'}.items() | list }} {{ d.get('zz', 'none') }}", "[0, 1, 2] ['a', 'b', 'c'] [('k', 'v')] none"],
    [
      "{{ 'secret' | password_hash('sha512', 'abcdefgh') }}",
      '$6$rounds=656000$abcdefgh$/Ei/7YaGhLUaj/.Vzhbn8/qTav7snBIiSWc4ltNfH/h5CKGCnV8KtAzHxd56WDXc3DF7SfbULGkU/EoGIlOV70',
    ],
    ['{{ d | to_yaml }}', '{a: 1, b: two}\n'],
    ['{{ users | to_nice_yaml }}', '-   admin: true\n    name: ann\n-   admin: false\n    name: bob\n'],
  ])('%s', (template, expected) => {
    expect(renderValue(template, vars)).toEqual(expected);
  });
});

describe('password_hash', () => {
  it('is glibc SHA-512 crypt (the specification’s test vectors)', () => {
    expect(sha512Crypt('Hello world!', 'saltstring')).toBe(
      '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
    );
    expect(sha512Crypt('Hello world!', 'saltstringsaltstring', 10000)).toBe(
      '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.',
    );
  });
});

describe('undefined variables', () => {
  it('are errors naming them, except where Jinja tests or defaults them', () => {
    expect(() => renderString('x {{ nope }}', {})).toThrow(UndefinedVariableError);
    expect(() => renderString('{% if nope %}y{% endif %}', {})).toThrow(/'nope' is undefined/);
    expect(renderString('{{ nope | default("d") }} {{ nope is defined }} {{ d.zz is defined }}', vars)).toBe('d False False');
  });
});
