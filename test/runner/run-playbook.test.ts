import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../lib/runner/types.js';
import { LOCAL_INVENTORY, results, workspace, type Workspace } from './helpers.js';

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
  await ws.write('inventory.yml', LOCAL_INVENTORY);
});
afterEach(() => ws.cleanup());

const snapshot = async (dir: string): Promise<string[]> => {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      out.push(`${p}:${e.isDirectory() ? 'd' : (await stat(p)).size}`);
      if (e.isDirectory()) await walk(p);
    }
  };
  await walk(dir);
  return out.sort();
};

describe('runPlaybook', () => {
  it('converges, then reports changed=0, and check mode writes nothing', async () => {
    await ws.write(
      'site.yml',
      `- name: files
  hosts: all
  gather_facts: false
  vars:
    root: "{{ playbook_dir }}/out/{{ inventory_hostname }}"
  tasks:
    - name: directory
      file: { path: "{{ root }}", state: directory, mode: "0755" }
    - name: config
      copy: { dest: "{{ root }}/app.conf", content: "port={{ port | default(8080) }}\\n", mode: "0600" }
      notify: restart
    - name: line
      lineinfile: { path: "{{ root }}/extra.conf", line: "debug=false", create: true }
  handlers:
    - name: restart
      copy: { dest: "{{ root }}/restarted", content: "yes\\n" }
`,
    );
    const checkFirst = await ws.run('site.yml', { check: true });
    expect(results(checkFirst.events).filter((e) => e.status === 'failed')).toEqual([]);
    expect(checkFirst.code).toBe(0);
    await expect(stat(join(ws.dir, 'out'))).rejects.toThrow();
    expect(checkFirst.stats.alpha.changed).toBe(4); // the handler runs in check mode too, as in Ansible

    const first = await ws.run('site.yml');
    expect(first.code).toBe(0);
    expect(first.stats.alpha).toMatchObject({ ok: 4, changed: 4, failed: 0 });
    expect(await readFile(join(ws.dir, 'out/alpha/app.conf'), 'utf8')).toBe('port=8080\n');
    expect(await readFile(join(ws.dir, 'out/alpha/extra.conf'), 'utf8')).toBe('debug=false\n');
    expect((await stat(join(ws.dir, 'out/alpha/app.conf'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(ws.dir, 'out/beta/restarted'), 'utf8')).toBe('yes\n');

    const before = await snapshot(ws.dir);
    const second = await ws.run('site.yml');
    expect(second.stats.alpha).toMatchObject({ ok: 3, changed: 0 });
    expect(second.stats.beta).toMatchObject({ ok: 3, changed: 0 });
    const check = await ws.run('site.yml', { check: true, extraVars: { port: 9090 } });
    expect(check.stats.alpha.changed).toBe(1);
    expect(await snapshot(ws.dir)).toEqual(before);
  });

  it('shows a unified diff with --diff and hides secrets', async () => {
    await ws.write('out/app.conf', 'port=1\n');
    await ws.write(
      'site.yml',
      `- hosts: alpha
  gather_facts: false
  vars:
    db_password: hunter2-secret
  tasks:
    - name: config
      copy: { dest: "{{ playbook_dir }}/out/app.conf", content: "port=2\\npass={{ db_password }}\\n" }
`,
    );
    const res = await ws.run('site.yml', { diff: true, check: true });
    const diff = results(res.events).find((e) => e.task === 'config')?.diff ?? '';
    expect(diff).toContain('-port=1');
    expect(diff).toContain('+port=2');
    expect(diff).toContain('pass=********');
    expect(JSON.stringify(res.events)).not.toContain('hunter2-secret');
  });

  it('applies when, register, loop, until, changed_when, failed_when, ignore_errors and set_fact', async () => {
    await ws.write(
      'site.yml',
      `- hosts: alpha
  gather_facts: false
  tasks:
    - name: probe
      command: echo hello
      register: out
      changed_when: false
    - name: only when hello
      set_fact: { greeting: "{{ out.stdout }} world" }
      when: out.stdout == 'hello'
    - name: skipped
      command: "false"
      when: out.stdout != 'hello'
    - name: loop
      command: "echo {{ item }}"
      loop: [a, b]
      register: looped
    - name: tolerated
      command: "false"
      ignore_errors: true
    - name: judged
      shell: "echo 'ERROR boom'"
      failed_when: "'ERROR' in judged.stdout"
      register: judged
      ignore_errors: true
    - name: counter
      shell: "n=$(cat {{ playbook_dir }}/n 2>/dev/null || echo 0); echo $((n+1)) > {{ playbook_dir }}/n; echo $((n+1))"
      register: counter
      until: counter.stdout == '3'
      retries: 5
      delay: 0
    - name: check
      assert:
        that:
          - greeting == 'hello world'
          - looped.results | length == 2
          - looped.results[1].stdout == 'b'
          - counter.attempts == 3
`,
    );
    const res = await ws.run('site.yml');
    expect(res.code).toBe(0);
    expect(res.stats.alpha).toMatchObject({ failed: 0, skipped: 1, ignored: 2 });
  });

  it('exits 2 when a host fails, stops that host only, and writes a retry file', async () => {
    await ws.write(
      'site.yml',
      `- hosts: all
  gather_facts: false
  tasks:
    - name: fail on alpha
      command: "sh -c 'test {{ inventory_hostname }} != alpha'"
    - name: after
      command: "true"
`,
    );
    const res = await ws.run('site.yml');
    expect(res.code).toBe(2);
    expect(res.stats.alpha).toMatchObject({ failed: 1, ok: 0 });
    expect(res.stats.beta).toMatchObject({ failed: 0, ok: 2 });
    expect(await readFile(res.retryFile!, 'utf8')).toBe('alpha\n');
    const retry = await ws.run('site.yml', { limit: `@${res.retryFile}` });
    expect(Object.keys(retry.stats)).toEqual(['alpha']);
  });

  it('honours --tags, --skip-tags, --limit and --start-at-task', async () => {
    await ws.write(
      'site.yml',
      `- hosts: all
  gather_facts: false
  tasks:
    - { name: one, command: "true", tags: [a] }
    - { name: two, command: "true", tags: [b] }
    - { name: three, command: "true", tags: [always] }
    - { name: four, command: "true", tags: [never, debug] }
`,
    );
    const names = async (opts: object) =>
      results((await ws.run('site.yml', opts)).events)
        .filter((e) => e.host === 'alpha')
        .map((e) => e.task);
    expect(await names({})).toEqual(['one', 'two', 'three']);
    expect(await names({ tags: { only: ['b'], skip: [] } })).toEqual(['two', 'three']);
    expect(await names({ tags: { only: ['debug'], skip: [] } })).toEqual(['three', 'four']);
    expect(await names({ tags: { only: [], skip: ['a', 'always'] } })).toEqual(['two']);
    expect(await names({ startAtTask: 'two' })).toEqual(['two', 'three']);
    const limited = await ws.run('site.yml', { limit: 'gpu' });
    expect(Object.keys(limited.stats)).toEqual(['alpha']);
  });

  it('runs serial batches and stops when max_fail_percentage is exceeded', async () => {
    await ws.write(
      'inventory.yml',
      `all:
  hosts:
    h1: { ansible_connection: local }
    h2: { ansible_connection: local }
    h3: { ansible_connection: local }
    h4: { ansible_connection: local }
`,
    );
    await ws.write(
      'site.yml',
      `- hosts: all
  gather_facts: false
  serial: 2
  max_fail_percentage: 0
  tasks:
    - name: mark
      shell: "echo {{ inventory_hostname }} >> {{ playbook_dir }}/order; test {{ inventory_hostname }} != h2"
`,
    );
    const res = await ws.run('site.yml');
    expect(res.code).toBe(2);
    expect(Object.keys(res.stats).sort()).toEqual(['h1', 'h2']);
    expect((await readFile(join(ws.dir, 'order'), 'utf8')).trim().split('\n').sort()).toEqual(['h1', 'h2']);
  });

  it('runs notified handlers once, in definition order, and blocks rescue failures', async () => {
    await ws.write(
      'site.yml',
      `- hosts: alpha
  gather_facts: false
  tasks:
    - { name: n1, command: "true", notify: [second, first] }
    - { name: n2, command: "true", notify: [first] }
    - block:
        - { name: breaks, command: "false" }
      rescue:
        - { name: rescued, command: "true" }
      always:
        - { name: always, command: "true" }
  handlers:
    - { name: first, shell: "echo first >> {{ playbook_dir }}/h" }
    - { name: second, shell: "echo second >> {{ playbook_dir }}/h" }
`,
    );
    const res = await ws.run('site.yml');
    expect(res.code).toBe(0);
    expect(res.stats.alpha).toMatchObject({ failed: 0, rescued: 1 });
    expect(await readFile(join(ws.dir, 'h'), 'utf8')).toBe('first\nsecond\n');
  });

  it('gathers facts once and exposes them', async () => {
    await ws.write(
      'site.yml',
      `- hosts: alpha
  tasks:
    - assert:
        that:
          - ansible_facts.architecture == ansible_architecture
          - ansible_processor_count >= 1
          - ansible_os_family != ''
`,
    );
    const res = await ws.run('site.yml');
    expect(res.code).toBe(0);
    expect(res.stats.alpha.ok).toBe(2);
  });

  it('fails a host with the undefined variable named', async () => {
    await ws.write('site.yml', `- hosts: alpha\n  gather_facts: false\n  tasks:\n    - command: "echo {{ nope }}"\n`);
    const res = await ws.run('site.yml');
    expect(res.code).toBe(2);
    expect(String(results(res.events)[0].result.msg)).toContain("'nope' is undefined");
  });

  it('hostvars and groups are the run’s own, whatever a variable of the same name says', async () => {
    await ws.write(
      'inventory.yml',
      `all:
  hosts:
    alpha: { ansible_connection: local, groups: mine, hostvars: mine }
    beta: { ansible_connection: local }
  children:
    gpu:
      hosts:
        alpha:
`,
    );
    await ws.write(
      'site.yml',
      `- hosts: alpha\n  gather_facts: false\n  tasks:\n    - debug: { msg: "{{ groups['gpu'] | join(',') }} {{ groups['all'] | length }} {{ hostvars is string }}" }\n`,
    );
    const res = await ws.run('site.yml');
    expect(results(res.events).map((r) => r.result.msg)).toEqual(['alpha 2 False']);
  });

  // a template reads another host's variables as Ansible's users write it; they were undefined in a template
  it('a template reads another host’s variables through hostvars, and hostvars lists the inventory’s hosts', async () => {
    await ws.write('inventory.yml', 'all:\n  hosts:\n    alpha: { ansible_connection: local, x: 1 }\n    beta: { ansible_connection: local, x: 42 }\n');
    await ws.write(
      'site.yml',
      `- hosts: alpha\n  gather_facts: false\n  tasks:\n    - debug: { msg: "{{ hostvars['beta'].x }} {{ hostvars.beta['x'] }} {{ hostvars.keys() | list | sort }} {{ 'beta' in hostvars }} {% for h in groups['all'] %}{{ hostvars[h].x }},{% endfor %} {{ hostvars['nosuch'].x | default('none') }}" }\n`,
    );
    const res = await ws.run('site.yml');
    expect(results(res.events).map((r) => r.result.msg)).toEqual(["42 42 ['alpha', 'beta'] True 1,42, none"]);
  });
});

describe('interrupted runs', () => {
  it('stop after the running task; the retry file lists the hosts of the interrupted play and every later one', async () => {
    await ws.write(
      'two-plays.yml',
      `- hosts: alpha\n  gather_facts: false\n  tasks:\n    - debug: { msg: first }\n    - debug: { msg: never }\n- hosts: beta\n  gather_facts: false\n  tasks:\n    - debug: { msg: later }\n`,
    );
    const abort = new AbortController();
    const events: RunEvent[] = [];
    const res = await ws.run('two-plays.yml', {
      signal: abort.signal,
      emit: (e) => {
        events.push(e);
        if (e.type === 'task_start') abort.abort();
      },
    });
    expect(res.code).toBe(99);
    expect(events.filter((e) => e.type === 'task_result')).toHaveLength(1);
    expect(res.retryFile).toBe(join(ws.dir, 'two-plays.retry'));
    expect(await readFile(res.retryFile!, 'utf8')).toBe('alpha\nbeta\n');
  });
});
