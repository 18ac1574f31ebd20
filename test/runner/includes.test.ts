import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_INVENTORY, results, workspace, type Workspace } from './helpers.js';

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
  await ws.write('inventory.yml', LOCAL_INVENTORY);
});
afterEach(() => ws.cleanup());

type Events = Awaited<ReturnType<Workspace['run']>>['events'];

// what alpha's debug tasks said, in order (the expectations were recorded with ansible-playbook 2.14)
const said = (events: Events, host = 'alpha') =>
  results(events)
    .filter((e) => e.host === host && (e.status === 'ok' || e.status === 'changed') && e.result.msg !== undefined && !('include' in e.result))
    .map((e) => String(e.result.msg));

const say = (msg: string, extra = '') => `- debug: { msg: "${msg}" }\n${extra}`;

describe('import_tasks and include_tasks', () => {
  it('imports statically (keywords reach every task) and includes dynamically (loops, vars, apply, templated names)', async () => {
    await ws.write('tasks/common.yml', `${say('common {{ who }}')}- import_tasks: nested.yml\n`);
    await ws.write('tasks/nested.yml', say('nested'));
    await ws.write('tasks/per-item.yml', say('item {{ item }} {{ extra }}') + say('tagged', '  tags: [t]\n'));
    await ws.write('tasks/alpha.yml', say('for alpha'));
    await ws.write(
      'site.yml',
      `- hosts: alpha
  gather_facts: false
  tasks:
    - import_tasks: tasks/common.yml
      vars: { who: imported }
    - import_tasks: tasks/common.yml
      when: false
      vars: { who: never }
    - include_tasks: tasks/per-item.yml
      loop: [a, b]
      vars: { extra: x }
    - include_tasks: "tasks/{{ inventory_hostname }}.yml"
    - include_tasks: tasks/alpha.yml
      when: false
`,
    );
    const run = await ws.run('site.yml');
    expect(run.code).toBe(0);
    expect(said(run.events)).toEqual(['common imported', 'nested', 'item a x', 'tagged', 'item b x', 'tagged', 'for alpha']);
    // as ansible-playbook 2.14 counts: each include (each item of a looped one) is ok; skipped: 2 imported tasks + 1 include
    expect(run.stats.alpha).toMatchObject({ ok: 10, skipped: 3, failed: 0 });
  });

  it("gives `apply` to included tasks, not the include's own tags", async () => {
    await ws.write('inc.yml', say('plain') + say('own tag', '  tags: [web]\n'));
    await ws.write(
      'site.yml',
      `- hosts: alpha
  gather_facts: false
  tasks:
    - include_tasks: { file: inc.yml }
      tags: [web]
    - include_tasks: { file: inc.yml, apply: { tags: [web] } }
      tags: [web]
`,
    );
    const run = await ws.run('site.yml', { tags: { only: ['web'], skip: [] } });
    expect(said(run.events)).toEqual(['own tag', 'plain', 'own tag']);
  });

  it('validates imported files before anything runs, and an included file when it is reached', async () => {
    await ws.write('bad.yml', '- name: typo\n  debgu: { msg: x }\n');
    await ws.write('imp.yml', `- hosts: alpha\n  gather_facts: false\n  tasks:\n${say('before').replace(/^(?=.)/gm, '    ')}    - import_tasks: bad.yml\n`);
    await expect(ws.run('imp.yml')).rejects.toThrow(/bad\.yml:2:3: \[0\]\.debgu: 'debgu' is neither a module nor a task keyword/);
    await ws.write('inc.yml', `- hosts: alpha\n  gather_facts: false\n  tasks:\n${say('before').replace(/^(?=.)/gm, '    ')}    - include_tasks: bad.yml\n`);
    const run = await ws.run('inc.yml');
    expect(run.code).toBe(2);
    expect(said(run.events)).toEqual(['before']);
    expect(results(run.events).at(-1)?.result.msg).toMatch(/bad\.yml:2:3: \[0\]\.debgu: 'debgu' is neither a module nor a task keyword/);
    await ws.write('missing.yml', `- hosts: alpha\n  gather_facts: false\n  tasks:\n    - import_tasks: nowhere.yml\n`);
    await expect(ws.run('missing.yml')).rejects.toThrow(/missing\.yml:4: could not find or access 'nowhere\.yml'/);
    await ws.write('looped.yml', `- hosts: alpha\n  gather_facts: false\n  tasks:\n    - import_tasks: bad.yml\n      loop: [1]\n`);
    await expect(ws.run('looped.yml')).rejects.toThrow(/you cannot use loops on 'import_tasks' statements/);
  });

  it('refuses tasks files that include each other', async () => {
    await ws.write('a.yml', '- import_tasks: b.yml\n');
    await ws.write('b.yml', '- import_tasks: a.yml\n');
    await ws.write('site.yml', '- hosts: alpha\n  gather_facts: false\n  tasks:\n    - import_tasks: a.yml\n');
    await expect(ws.run('site.yml')).rejects.toThrow(/tasks files include each other: .*a\.yml → .*b\.yml → .*a\.yml/);
  });
});

describe('import_role and include_role', () => {
  beforeEach(async () => {
    await ws.write('roles/web/defaults/main.yml', 'port: 80\n');
    await ws.write('roles/web/defaults/alt.yml', 'port: 8080\n');
    await ws.write('roles/web/vars/extra.yml', 'flavour: extra\n');
    await ws.write('roles/web/tasks/main.yml', `${say('web main {{ port }}')}- import_tasks: part.yml\n`);
    await ws.write('roles/web/tasks/part.yml', say('web part {{ role_name }}'));
    await ws.write(
      'roles/web/tasks/install.yml',
      say("web install {{ port }} {{ flavour | default('plain') }}", '  changed_when: true\n  notify: reload web\n'),
    );
    await ws.write('roles/web/handlers/main.yml', say('web reloaded', '  listen: reload web\n'));
    await ws.write('roles/web/meta/main.yml', 'dependencies: [base]\n');
    await ws.write('roles/base/tasks/main.yml', say('base'));
  });

  it('imports and includes roles with tasks_from, vars_from, defaults_from, params and handlers', async () => {
    await ws.write(
      'site.yml',
      `- hosts: alpha
  gather_facts: false
  tasks:
    - import_role: { name: web }
    - import_role: { name: web, tasks_from: install, defaults_from: alt }
    - include_role: { name: web, tasks_from: install.yml, vars_from: extra }
      vars: { port: 9000 }
    - include_role: { name: "{{ which }}" }
      vars: { which: base }
      when: inventory_hostname == 'alpha'
`,
    );
    const run = await ws.run('site.yml');
    expect(run.code).toBe(0);
    expect(said(run.events)).toEqual([
      'base',
      'web main 80',
      'web part web',
      'web install 8080 plain',
      'web install 9000 extra',
      'base',
      // as in Ansible: each role instance (name, params, files) brings its handlers, and every listener runs
      'web reloaded',
      'web reloaded',
      'web reloaded',
    ]);
    expect(run.stats.alpha).toMatchObject({ ok: 9, changed: 2 });
  });

  it('refuses a missing tasks_from at its line before the run', async () => {
    await ws.write('site.yml', '- hosts: alpha\n  gather_facts: false\n  tasks:\n    - import_role:\n        name: web\n        tasks_from: nope\n');
    await expect(ws.run('site.yml')).rejects.toThrow(/site\.yml:5:9: \[0\]\.tasks\[0\]\.import_role: role tasks\/nope not found/);
  });
});

describe('include_vars', () => {
  it('reads a file, a directory in name order, and under a name', async () => {
    await ws.write('vars/one.yml', 'a: 1\nb: one\n');
    await ws.write('conf.d/10-first.yml', 'a: 10\nc: first\n');
    await ws.write('conf.d/20-second.json', '{"c": "second"}\n');
    await ws.write('conf.d/README', 'not vars\n');
    await ws.write(
      'site.yml',
      `- hosts: alpha
  gather_facts: false
  tasks:
    - include_vars: one.yml
    - debug: { msg: "{{ a }} {{ b }}" }
    - include_vars: { dir: conf.d, ignore_unknown_extensions: true }
    - debug: { msg: "{{ a }} {{ c }}" }
    - include_vars: { file: vars/one.yml, name: loaded }
    - debug: { msg: "{{ loaded.b }}" }
    - include_vars: { dir: conf.d }
      ignore_errors: true
      register: strict
    - debug: { msg: "{{ strict.msg }}" }
`,
    );
    const run = await ws.run('site.yml');
    expect(said(run.events)).toEqual(['1 one', '10 second', 'one', 'README does not have a valid extension: yaml, yml, json']);
    expect(run.stats.alpha).toMatchObject({ ignored: 1 });
  });
});

describe('import_playbook', () => {
  it('brings in plays with the import’s vars, tags and condition, and refuses a cycle', async () => {
    await ws.write(
      'sub/child.yml',
      `- hosts: alpha\n  gather_facts: false\n  tasks:\n${say('child {{ v }}').replace(/^(?=.)/gm, '    ')}    - include_tasks: t.yml\n`,
    );
    await ws.write('sub/t.yml', say('relative to the child'));
    await ws.write(
      'site.yml',
      `- import_playbook: sub/child.yml
  vars: { v: one }
- ansible.builtin.import_playbook: sub/child.yml
  vars: { v: two }
  when: false
- hosts: alpha
  gather_facts: false
  tasks:
${say('own').replace(/^(?=.)/gm, '    ')}`,
    );
    const run = await ws.run('site.yml');
    expect(run.code).toBe(0);
    expect(said(run.events)).toEqual(['child one', 'relative to the child', 'own']);
    await ws.write('loop.yml', '- import_playbook: loop.yml\n');
    await expect(ws.run('loop.yml')).rejects.toThrow(/loop\.yml:1:20: \[0\]\.import_playbook: playbooks import each other/);
  });
});
