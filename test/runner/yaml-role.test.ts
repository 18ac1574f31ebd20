import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_INVENTORY, workspace, type Workspace } from './helpers.js';

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
  await ws.write('inventory.yml', LOCAL_INVENTORY);
});
afterEach(() => ws.cleanup());

describe('an Ansible-layout YAML role beside the playbook', () => {
  it('runs with its defaults, params, templates and handlers, and is selectable by its name as a tag', async () => {
    await ws.write('roles/motd/defaults/main.yml', 'motd_text: hello\nmotd_mode: "0644"\n');
    await ws.write('roles/motd/templates/motd.hbs', '{{ motd_text }} from {{ inventory_hostname }}\n');
    await ws.write(
      'roles/motd/tasks/main.yml',
      `- name: motd file
  template: { src: motd.hbs, dest: "{{ playbook_dir }}/out-{{ inventory_hostname }}", mode: "{{ motd_mode }}" }
  notify: announce
`,
    );
    await ws.write('roles/motd/handlers/main.yml', `- name: announce\n  shell: "echo {{ inventory_hostname }} >> {{ playbook_dir }}/announced"\n`);
    await ws.write(
      'site.yml',
      `- hosts: all
  gather_facts: false
  roles:
    - { role: motd, motd_text: bonjour }
    - { role: motd, when: false }
`,
    );
    const first = await ws.run('site.yml', { tags: { only: ['motd'], skip: [] } });
    expect(first.code).toBe(0);
    expect(await readFile(join(ws.dir, 'out-alpha'), 'utf8')).toBe('bonjour from alpha\n');
    expect((await readFile(join(ws.dir, 'announced'), 'utf8')).trim().split('\n').sort()).toEqual(['alpha', 'beta']);
    const second = await ws.run('site.yml');
    expect(second.stats.alpha).toMatchObject({ changed: 0, failed: 0 });
  });
});
