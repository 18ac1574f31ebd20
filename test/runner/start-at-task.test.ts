import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_INVENTORY, results, workspace, type Workspace } from './helpers.js';

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
  await ws.write('inventory.yml', LOCAL_INVENTORY);
  await ws.write('roles/web/tasks/main.yml', '- name: install\n  command: "true"\n- name: configure\n  command: "true"\n');
  await ws.write(
    'site.yml',
    `- hosts: alpha
  gather_facts: false
  roles: [web]
  tasks:
    - name: one
      command: "true"
- hosts: beta
  gather_facts: false
  tasks:
    - block:
        - name: two
          command: "true"
`,
  );
});
afterEach(() => ws.cleanup());

const ran = async (startAtTask: string) => results((await ws.run('site.yml', { startAtTask })).events).map((e) => `${e.host}:${e.task}`);

describe('--start-at-task', () => {
  it("matches a task's name, its role : name, or a glob, as Ansible does; later plays run whole", async () => {
    expect(await ran('configure')).toEqual(['alpha:web : configure', 'alpha:one', 'beta:two']);
    expect(await ran('web : configure')).toEqual(['alpha:web : configure', 'alpha:one', 'beta:two']);
    expect(await ran('on?')).toEqual(['alpha:one', 'beta:two']);
    expect(await ran('two')).toEqual(['beta:two']);
  });

  it('naming no task is an error before any host is touched', async () => {
    await expect(ws.run('site.yml', { startAtTask: 'nope' })).rejects.toThrow(/No matching task "nope" found/);
  });
});
