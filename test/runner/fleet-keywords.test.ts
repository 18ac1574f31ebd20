import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { results, workspace, type Workspace } from './helpers.js';

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
  await ws.write(
    'inventory.yml',
    `all:
  hosts:
    h1: { ansible_connection: local }
    h2: { ansible_connection: local }
    h3: { ansible_connection: local }
`,
  );
});
afterEach(() => ws.cleanup());

describe('run_once, delegate_to, any_errors_fatal', () => {
  it('runs a run_once task on one host and gives every host its result', async () => {
    await ws.write(
      'site.yml',
      `- hosts: all
  gather_facts: false
  tasks:
    - shell: "echo {{ inventory_hostname }} >> {{ playbook_dir }}/once; echo token-1"
      run_once: true
      register: token
    - assert: { that: ["token.stdout == 'token-1'"] }
`,
    );
    const res = await ws.run('site.yml');
    expect(res.code).toBe(0);
    expect((await readFile(join(ws.dir, 'once'), 'utf8')).trim().split('\n')).toHaveLength(1);
  });

  it('runs a delegated task on the delegate with the host variables of the task host', async () => {
    await ws.write(
      'site.yml',
      `- hosts: h1:h2
  gather_facts: false
  tasks:
    - shell: "echo {{ inventory_hostname }} >> {{ playbook_dir }}/delegated"
      delegate_to: localhost
`,
    );
    const res = await ws.run('site.yml');
    expect(res.code).toBe(0);
    expect((await readFile(join(ws.dir, 'delegated'), 'utf8')).trim().split('\n').sort()).toEqual(['h1', 'h2']);
  });

  it('stops every host after the failing task with any_errors_fatal, and later plays do not run', async () => {
    await ws.write(
      'site.yml',
      `- hosts: all
  gather_facts: false
  any_errors_fatal: true
  tasks:
    - shell: "test {{ inventory_hostname }} != h1 || exit 1; sleep 0.3"
    - command: "true"
- hosts: all
  gather_facts: false
  tasks:
    - command: "true"
`,
    );
    const res = await ws.run('site.yml');
    expect(res.code).toBe(2);
    const ran = results(res.events).filter((e) => e.task === 'command');
    expect(ran).toEqual([]);
  });
});
