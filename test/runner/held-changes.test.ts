import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../lib/runner/types.js';
import { filePlaybook } from '../helpers/file-play.js';
import { LOCAL_INVENTORY, type Workspace, workspace } from './helpers.js';

// A play's changes go to the host together (lib/runner/write-behind.ts), yet every task's result, failure and
// order are as if each had run on its own. A failure in the middle of a batch: test/transport/batched-changes.test.ts

// the task events of one host, in the order they were emitted
const trail = (events: RunEvent[]) =>
  events.flatMap((e) =>
    e.type === 'task_start' ? [`start ${e.task}`] : e.type === 'task_result' ? [`${e.status} ${e.task}${e.item ? ` ${e.item}` : ''}`] : [],
  );

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('a task that could see an earlier change runs after it reached the host', () => {
  let local: Workspace;
  beforeEach(async () => {
    local = await workspace();
    await local.write('inventory.yml', LOCAL_INVENTORY);
  });
  afterEach(() => local.cleanup());

  it('a command, a module editing the file and a handler each see what the tasks before wrote', async () => {
    await local.write(
      'site.yml',
      `- hosts: alpha
  gather_facts: false
  vars: { f: "{{ playbook_dir }}/out/f.conf" }
  tasks:
    - file: { path: "{{ playbook_dir }}/out", state: directory }
    - copy: { dest: "{{ f }}", content: "a\\n" }
      notify: snapshot
    - command: cat "{{ f }}"
      register: seen
    - lineinfile: { path: "{{ f }}", line: "b" }
    - copy: { dest: "{{ playbook_dir }}/out/seen", content: "{{ seen.stdout }}" }
  handlers:
    - name: snapshot
      shell: cp "{{ f }}" "{{ playbook_dir }}/out/handler-saw"
`,
    );
    const r = await local.run('site.yml');
    expect(r.stats.alpha).toMatchObject({ changed: 6, failed: 0 });
    expect(await readFile(join(local.dir, 'out', 'seen'), 'utf8')).toBe('a');
    expect(await readFile(join(local.dir, 'out', 'f.conf'), 'utf8')).toBe('a\nb\n');
    expect(await readFile(join(local.dir, 'out', 'handler-saw'), 'utf8')).toBe('a\nb\n');
  });

  it('events come in task order, each task started before its result, and check mode changes nothing', async () => {
    await local.write('site.yml', filePlaybook('{{ playbook_dir }}/out/{{ inventory_hostname }}'));
    const names = [...filePlaybook('').matchAll(/name: (.+)/g)].map((m) => m[1]);
    const check = await local.run('site.yml', { check: true });
    expect(check.stats.alpha).toMatchObject({ changed: 20 });
    expect(await exists(join(local.dir, 'out'))).toBe(false);
    const r = await local.run('site.yml');
    for (const host of ['alpha', 'beta']) {
      const mine = r.events.filter((e) => 'host' in e && e.host === host);
      expect(trail(mine)).toEqual(names.flatMap((n) => [`start ${n}`, `changed ${n}`]));
      expect(trail(check.events.filter((e) => 'host' in e && e.host === host))).toEqual(trail(mine));
    }
  });
});
