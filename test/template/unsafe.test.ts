import { describe, expect, it } from 'vitest';
import { lazyVars } from '../../lib/runner/lazy-vars.js';
import { renderValue } from '../../lib/template/render.js';
import { UnsafeText } from '../../lib/template/unsafe.js';
import { parseAnsibleYaml } from '../../lib/yaml/ansible-yaml.js';

// `!unsafe` (Ansible's AnsibleUnsafeText): the text is never templated, wherever it is read from

const vars = parseAnsibleYaml(
  [
    "secret_cmd: !unsafe \"{{ lookup('pipe', 'id') }}\"",
    'nested:',
    '  - !unsafe "{% raw %}{{ x }}"',
    '  - "{{ name }}"',
    'name: web',
    'uses_it: "cmd={{ secret_cmd }}"',
    'plain: "{{ name }}-1"',
  ].join('\n'),
).value as Record<string, unknown>;

describe('!unsafe', () => {
  it('is read as unsafe text, the same characters as the YAML string', () => {
    expect(vars.secret_cmd).toBeInstanceOf(UnsafeText);
    expect(`${vars.secret_cmd}`).toBe("{{ lookup('pipe', 'id') }}");
  });

  it('is never rendered as a module argument, alone or inside a list', () => {
    expect(renderValue({ cmd: vars.secret_cmd, list: vars.nested }, { name: 'web' })).toEqual({
      cmd: "{{ lookup('pipe', 'id') }}",
      list: ['{% raw %}{{ x }}', 'web'],
    });
  });

  it('is read through variables as its text: a template using it gets the text, not what it would render to', () => {
    const scope = lazyVars(vars);
    expect(scope.secret_cmd).toBe("{{ lookup('pipe', 'id') }}");
    expect(scope.uses_it).toBe("cmd={{ lookup('pipe', 'id') }}");
    expect(renderValue('{{ secret_cmd }}', scope)).toBe("{{ lookup('pipe', 'id') }}");
    expect(scope.nested).toEqual(['{% raw %}{{ x }}', 'web']);
    // the rest is templated as before
    expect(scope.plain).toBe('web-1');
  });
});
