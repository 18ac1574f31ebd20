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
