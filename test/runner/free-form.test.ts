import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadPlaybook } from '../../lib/runner/load-playbook.js';
import { COMMAND_KEYS, parseKeyValues, splitArgs } from '../../lib/runner/free-form.js';
import type { TaskSpec } from '../../lib/runner/types.js';
import { LOCAL_INVENTORY, results, workspace, type Workspace } from './helpers.js';

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
  await ws.write('inventory.yml', LOCAL_INVENTORY);
});
afterEach(() => ws.cleanup());

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

// the arguments a one-task playbook's task gets
const argsOf = async (task: string): Promise<unknown> => {
  const file = await ws.write('one.yml', `- hosts: all\n  tasks:\n    - ${task}\n`);
  const play = (await loadPlaybook(file)).plays[0];
  const spec = play.sections[1][0] as TaskSpec;
  return spec.action?.kind === 'module' ? spec.action.args : undefined;
};

describe("Ansible's key=value splitting", () => {
  it('keeps quoted words and {{ }} blocks whole, with their inner spacing', () => {
    expect(splitArgs('a=b c="foo bar"')).toEqual(['a=b', 'c="foo bar"']);
    expect(splitArgs('path={{ base }}/x  state=directory')).toEqual(['path={{ base }}/x ', 'state=directory']);
    expect(splitArgs("msg='it  is' x={{ a | default('b c') }}")).toEqual(["msg='it  is'", "x={{ a | default('b c') }}"]);
    expect(splitArgs('echo one\necho two')).toEqual(['echo', 'one\n', 'echo', 'two']);
    expect(() => splitArgs('msg="unclosed')).toThrow(/unbalanced jinja2 block or quotes/);
    expect(() => splitArgs('msg={{ open')).toThrow(/unbalanced/);
  });

  it('takes only the command keys out of a command line, unquoting their values', () => {
    expect(parseKeyValues('iptables -F creates=/etc/firewall.bash', COMMAND_KEYS)).toEqual({
      options: { creates: '/etc/firewall.bash' },
      raw: 'iptables -F',
    });
    expect(parseKeyValues('echo foo=bar chdir="/tmp/a b" removes=/x', COMMAND_KEYS)).toEqual({
      options: { chdir: '/tmp/a b', removes: '/x' },
      raw: 'echo foo=bar',
    });
    expect(parseKeyValues('grep "a = b" file stdin_add_newline=no', COMMAND_KEYS)).toEqual({
      options: { stdin_add_newline: 'no' },
      raw: 'grep "a = b" file',
    });
  });

  it('reads every word of another module as key=value, decoding escapes in values', () => {
    expect(parseKeyValues('path=/x state=directory mode=0755')).toEqual({ options: { path: '/x', state: 'directory', mode: '0755' } });
    expect(parseKeyValues('msg="two\\nlines" a\\=b')).toEqual({ options: { msg: 'two\nlines' }, raw: 'a=b' });
    expect(parseKeyValues('path=/x oops')).toEqual({ options: { path: '/x' }, raw: 'oops' });
  });
});

describe('free-form task arguments', () => {
  it('honours creates= in a command line: the guarded command does not run', async () => {
    const guard = join(ws.dir, 'firewall.bash');
    await writeFile(guard, '');
    await ws.write(
      'site.yml',
      `- hosts: alpha
  gather_facts: false
  tasks:
    - command: touch {{ playbook_dir }}/ran creates={{ playbook_dir }}/firewall.bash
    - shell: echo "a  b" > {{ playbook_dir }}/shell.out chdir={{ playbook_dir }} removes=firewall.bash
    - command: touch {{ playbook_dir }}/also creates=nothing-here chdir={{ playbook_dir }}
`,
    );
    const run = await ws.run('site.yml');
    expect(run.code).toBe(0);
    const [guarded, shell, unguarded] = results(run.events);
    expect(guarded).toMatchObject({ status: 'ok', result: { msg: expect.stringContaining('firewall.bash') } });
    expect(await exists(join(ws.dir, 'ran'))).toBe(false);
    expect(shell.status).toBe('changed');
    expect(await readFile(join(ws.dir, 'shell.out'), 'utf8')).toBe('a  b\n');
    expect(unguarded.status).toBe('changed');
    expect(await exists(join(ws.dir, 'also'))).toBe(true);
  });

  it('parses each form into the module arguments', async () => {
    expect(await argsOf('command: iptables -F creates=/etc/firewall.bash')).toEqual({ cmd: 'iptables -F', creates: '/etc/firewall.bash' });
    expect(await argsOf('shell: "cat {{ src }} | grep x chdir=/srv"')).toEqual({ cmd: 'cat {{ src }} | grep x', chdir: '/srv' });
    expect(await argsOf('command: echo \'a=b c\' removes="/tmp/x y"')).toEqual({ cmd: "echo 'a=b c'", removes: '/tmp/x y' });
    expect(await argsOf('file: path={{ base }}/x state=directory')).toEqual({ path: '{{ base }}/x', state: 'directory' });
    expect(await argsOf('debug: msg="hello {{ who | default(\'you all\') }}"')).toEqual({ msg: "hello {{ who | default('you all') }}" });
    expect(await argsOf('set_fact: enabled=yes port=8080 name="a b"')).toEqual({ enabled: 'yes', port: '8080', name: 'a b' });
    // args: merges under the free-form ones
    expect(await argsOf('command: ls\n      args: { chdir: /srv, creates: /a }')).toEqual({ cmd: 'ls', chdir: '/srv', creates: '/a' });
  });

  it('set_fact turns k=v true/false/yes/no into booleans, as Ansible', async () => {
    await ws.write(
      'site.yml',
      '- hosts: alpha\n  gather_facts: false\n  tasks:\n    - set_fact: enabled=yes label=y\n    - assert: { that: [enabled == true, label == "y"] }\n',
    );
    const run = await ws.run('site.yml');
    expect(results(run.events).map((e) => e.status)).toEqual(['ok', 'ok']);
  });

  it('refuses what is not key=value, or unbalanced, at the task line', async () => {
    const errorOf = async (task: string) => {
      const file = await ws.write('bad.yml', `- hosts: all\n  tasks:\n    - name: t\n      ${task}\n`);
      return loadPlaybook(file).then(
        () => 'loaded',
        (e: Error) => e.message.replace(`${ws.dir}/`, ''),
      );
    };
    expect(await errorOf('file: path=/x directory')).toMatch(/^bad\.yml:4:13: \[0\]\.tasks\[0\]\.file: 'directory' is not key=value/);
    expect(await errorOf('command: echo "unclosed creates=/x')).toMatch(/^bad\.yml:4:16: .*unbalanced jinja2 block or quotes/);
    expect(await errorOf('command: make executable=/bin/bash')).toMatch(/^bad\.yml:4:\d+: .*unsupported parameter 'executable' for module 'command'/);
  });
});
