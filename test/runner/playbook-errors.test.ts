import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadPlaybook } from '../../lib/runner/load-playbook.js';
import { workspace, type Workspace } from './helpers.js';

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
});
afterEach(() => ws.cleanup());

const errorOf = async (yaml: string): Promise<string> => {
  const file = await ws.write('bad.yml', yaml);
  try {
    await loadPlaybook(file);
  } catch (e) {
    return (e as Error).message.replace(`${ws.dir}/`, '');
  }
  throw new Error('expected the playbook to be rejected');
};

describe('playbook validation', () => {
  it('locates YAML syntax errors', async () => {
    expect(await errorOf('- hosts: all\n  tasks:\n    - name: x\n     command: true\n')).toMatch(/bad\.yml:4:\d+: YAML syntax error/);
  });

  it('names an unknown module or keyword with its line', async () => {
    expect(await errorOf('- hosts: all\n  tasks:\n    - name: x\n      comand: ls\n')).toMatch(
      /bad\.yml:4:7: \[0\]\.tasks\[0\]\.comand: 'comand' is neither a module nor a task keyword/,
    );
  });

  it('names an unknown play keyword', async () => {
    expect(await errorOf('- hosts: all\n  taks: []\n')).toMatch(/bad\.yml:2:3: \[0\]\.taks: unknown keyword .taks./);
  });

  it('rejects wrong types with the field path', async () => {
    expect(await errorOf('- hosts: all\n  tasks:\n    - name: x\n      command: ls\n      retries: many\n')).toMatch(
      /bad\.yml:5:16: \[0\]\.tasks\[0\]\.retries: .*number/,
    );
  });

  it('checks module arguments before running', async () => {
    expect(await errorOf('- hosts: all\n  tasks:\n    - file: { path: /tmp/x, state: sideways }\n')).toMatch(/bad\.yml:3:\d+: \[0\]\.tasks\[0\]\.file\.state/);
    expect(await errorOf('- hosts: all\n  tasks:\n    - file: { path: /tmp/x, colour: red }\n')).toMatch(/unsupported parameter 'colour' for module 'file'/);
  });

  it('leaves templated arguments to run time', async () => {
    const file = await ws.write('ok.yml', '- hosts: all\n  tasks:\n    - file: { path: /tmp/x, state: "{{ wanted }}" }\n');
    await expect(loadPlaybook(file)).resolves.toBeTruthy();
  });

  it('rejects a broken condition and two modules in one task', async () => {
    expect(await errorOf('- hosts: all\n  tasks:\n    - command: ls\n      when: "a =="\n')).toMatch(/bad\.yml:4:\d+: \[0\]\.tasks\[0\]\.when/);
    expect(await errorOf('- hosts: all\n  tasks:\n    - command: ls\n      shell: ls\n')).toMatch(/found 'command' and 'shell'/);
  });

  it('names a missing role', async () => {
    expect(await errorOf('- hosts: all\n  roles: [nosuchrole]\n')).toMatch(/bad\.yml:2:\d+: \[0\]\.roles\[0\]: role 'nosuchrole' not found/);
  });
});

describe('errors that teach', () => {
  it('a misspelt play keyword, task keyword, module or module argument names the word and the nearest valid one', async () => {
    // the misspelling is reported, not the required `hosts` it leaves missing
    expect(await errorOf('- hsts: all\n  tasks: []\n')).toBe("bad.yml:1:3: [0].hsts: unknown keyword 'hsts'; did you mean 'hosts'?");
    expect(await errorOf('- hosts: all\n  tasks:\n    - debug: {}\n      whn: true\n')).toMatch(
      /bad\.yml:4:7: .*'whn' is neither a module nor a task keyword; did you mean 'when'\?$/,
    );
    expect(await errorOf('- hosts: all\n  tasks:\n    - debgu: {}\n')).toMatch(/'debgu' is neither a module nor a task keyword; did you mean 'debug'\?$/);
    expect(await errorOf('- hosts: all\n  tasks:\n    - copy: { dst: /tmp/x, content: a }\n')).toBe(
      "bad.yml:3:15: [0].tasks[0].copy.dst: unsupported parameter 'dst' for module 'copy'; did you mean 'dest'?",
    );
    expect(await errorOf('- hosts: all\n  tasks:\n    - debug: {}\n      loop_control: { lop_var: x }\n')).toMatch(
      /unknown keyword 'lop_var'; did you mean 'loop_var'\?$/,
    );
    // nothing near: no guess
    expect(await errorOf('- hosts: all\n  tasks:\n    - debug: {}\n      zzzzzz: 1\n')).toMatch(/'zzzzzz' is neither a module nor a task keyword$/);
  });

  it('schema problems in words, not the validator’s jargon', async () => {
    expect(await errorOf('- hosts: 5\n  tasks: []\n')).toBe('bad.yml:1:10: [0].hosts: expected a string or a list, got the number 5');
    expect(await errorOf('- hosts: [1]\n  tasks: []\n')).toBe('bad.yml:1:11: [0].hosts[0]: expected a string, got the number 1');
    expect(await errorOf('- tasks: []\n')).toBe('bad.yml:1:3: [0].hosts: is required (a string or a list) and missing');
    expect(await errorOf('- hosts: all\n  tasks:\n    - file: { path: /x, state: dirctory }\n')).toBe(
      'bad.yml:3:32: [0].tasks[0].file.state: the string "dirctory" must be one of: file, directory, touch, absent, link; did you mean \'directory\'?',
    );
    expect(await errorOf('- hosts: all\n  serial: 0\n  tasks: []\n')).toBe('bad.yml:2:11: [0].serial: must be more than 0');
    expect(await errorOf('- hosts: all\n  tasks:\n    - file: { path: "", state: directory }\n')).toBe(
      'bad.yml:3:21: [0].tasks[0].file.path: must not be empty',
    );
  });

  it('a YAML error points at the line to fix, with the line above and a caret under the column, as Ansible shows it', async () => {
    // over-indented: the yaml package blames the line above; the line to fix is this one
    expect(await errorOf('- hosts: all\n  gather_facts: false\n   tasks: []\n')).toBe(
      [
        'bad.yml:3:4: YAML syntax error: this line is indented deeper than the keys above it: a key must line up with the other keys of its mapping',
        '',
        'The offending line appears to be:',
        '',
        '      gather_facts: false',
        '       tasks: []',
        '       ^ here',
      ].join('\n'),
    );
    expect(await errorOf('- hosts: all\n  tasks:\n    - name: x\n     debug: {}\n')).toMatch(
      /^bad\.yml:4:6: YAML syntax error: this line is indented less than the keys above it.*\n\nThe offending line appears to be:\n\n {8}- name: x\n {9}debug: \{\}\n {9}\^ here$/,
    );
    // a vars_files file: the same, in that file
    await ws.write('v.yml', 'gonka_network: mainnet\nhf_home: /mnt/shared\n  private_ip: 10.0.0.5\n');
    expect(await errorOf('- hosts: all\n  vars_files: [v.yml]\n  tasks: []\n')).toMatch(
      /^v\.yml:3:3: YAML syntax error: this line is indented deeper .*\n\nThe offending line appears to be:\n\n {4}hf_home: \/mnt\/shared\n {6}private_ip: 10\.0\.0\.5\n {6}\^ here$/,
    );
    // an unclosed quote: the line that opens it, not the end of the file
    expect(await errorOf('- hosts: all\n  tasks:\n    - name: "x\n')).toMatch(
      /^bad\.yml:3:14: YAML syntax error: Missing closing "quote\n[\s\S]*- name: "x\n {17}\^ here$/,
    );
  });
});
