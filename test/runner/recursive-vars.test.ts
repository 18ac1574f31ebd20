import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

describe('variables that refer to each other', () => {
  it('fail only the tasks that use them, before those run; every other task runs and reports truly', async () => {
    await ws.write(
      'site.yml',
      `- hosts: alpha
  gather_facts: false
  vars:
    a: "{{ b }}"
    b: "{{ a }}"
    out: "{{ playbook_dir }}/out"
  tasks:
    - name: unrelated command
      command: mkdir {{ out }}
      register: made
      changed_when: made.rc == 0
      failed_when: made.rc != 0
    - name: unrelated loop with a retry
      file: { path: "{{ out }}/{{ item }}", state: touch }
      loop: [one, two]
      register: touched
      until: touched is succeeded
      retries: 1
      delay: 0
    - name: a task var naming the loop item
      copy: { dest: "{{ dest }}", content: "{{ item }}" }
      vars: { dest: "{{ out }}/copy-{{ item }}" }
      loop: [x]
    - name: uses the cycle
      command: touch {{ out }}/{{ a }}
      ignore_errors: true
    - name: conditions on the cycle
      command: touch {{ out }}/never
      when: b == 'x'
      ignore_errors: true
`,
    );
    const run = await ws.run('site.yml');
    const byTask = Object.fromEntries(results(run.events).map((e) => [`${e.task}${e.item ? `:${e.item}` : ''}`, e]));
    expect(byTask['unrelated command']).toMatchObject({ status: 'changed' });
    expect(byTask['unrelated loop with a retry:one']).toMatchObject({ status: 'changed' });
    expect(byTask['a task var naming the loop item:x']).toMatchObject({ status: 'changed' });
    expect(await exists(join(ws.dir, 'out/two'))).toBe(true);
    expect(await exists(join(ws.dir, 'out/copy-x'))).toBe(true);
    for (const task of ['uses the cycle', 'conditions on the cycle']) {
      expect(byTask[task]).toMatchObject({ status: 'failed', ignored: true });
      expect(String(byTask[task].result.msg)).toMatch(/recursive loop detected in variables: (a → b → a|b → a → b)/);
    }
    // nothing the failing tasks would have made exists: they failed before running
    expect((await readdir(join(ws.dir, 'out'))).sort()).toEqual(['copy-x', 'one', 'two']);
    expect(run.stats.alpha).toMatchObject({ ok: 5, changed: 3, failed: 0, ignored: 2 });
    expect(run.code).toBe(0);
  });
});
