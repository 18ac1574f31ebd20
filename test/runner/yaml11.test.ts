import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_INVENTORY, results, workspace, type Workspace } from './helpers.js';

// Playbooks, role files and vars files read as Ansible reads them: YAML 1.1 (PyYAML).

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
  await ws.write('inventory.yml', LOCAL_INVENTORY);
});
afterEach(() => ws.cleanup());

const modeOf = async (p: string) => (await stat(p)).mode & 0o7777;

describe('YAML 1.1 in playbooks, roles and vars files', () => {
  it('reads an unquoted 0644 as octal and yes/no/on/off as booleans in keywords', async () => {
    await ws.write(
      'site.yml',
      `- hosts: alpha
  gather_facts: no
  become: no
  any_errors_fatal: off
  tasks:
    - name: a file with an unquoted octal mode
      file: { path: "{{ playbook_dir }}/out", state: directory, mode: 0750 }
    - name: copy with a mode
      copy: { dest: "{{ playbook_dir }}/out/a.conf", content: "x\\n", mode: 0644 }
      check_mode: no
      no_log: No
      run_once: yes
      diff: on
    - name: a failure that is ignored
      command: /bin/false
      ignore_errors: yes
    - name: still running
      debug: { msg: "after" }
`,
    );
    const run = await ws.run('site.yml');
    expect(run.code).toBe(0);
    expect(run.stats.alpha).toMatchObject({ ok: 4, changed: 3, failed: 0, ignored: 1 });
    expect(await modeOf(join(ws.dir, 'out'))).toBe(0o750);
    expect(await modeOf(join(ws.dir, 'out/a.conf'))).toBe(0o644);
  });

  it('an ignore_errors that cannot be evaluated fails the task, never the run', async () => {
    await ws.write('site.yml', '- hosts: alpha\n  gather_facts: false\n  tasks:\n    - command: /bin/false\n      ignore_errors: "{{ nope }}"\n');
    const run = await ws.run('site.yml');
    expect(run.code).toBe(2);
    expect(results(run.events)[0]).toMatchObject({ status: 'failed', ignored: false, result: { msg: expect.stringContaining("'nope' is undefined") } });
  });

  it('takes quoted boolean keywords in any of their spellings, and refuses what is not a boolean at its line', async () => {
    await ws.write('ok.yml', '- hosts: alpha\n  gather_facts: "No"\n  tasks:\n    - debug: { msg: hi }\n      no_log: "TRUE"\n');
    const ok = await ws.run('ok.yml');
    expect(ok.code).toBe(0);
    expect(results(ok.events)[0].result).toMatchObject({ censored: expect.any(String) });
    await ws.write('bad.yml', '- hosts: alpha\n  gather_facts: "maybe"\n  tasks: []\n');
    await expect(ws.run('bad.yml')).rejects.toThrow(/bad\.yml:2:17: \[0\]\.gather_facts: "maybe" is not a boolean/);
  });

  it('reads role defaults, vars, tasks and handlers and play vars_files as YAML 1.1', async () => {
    await ws.write('roles/r/defaults/main.yml', 'r_mode: 0600\nr_enabled: on\n');
    await ws.write('roles/r/vars/main.yml', 'r_dir_mode: 0710\n');
    await ws.write(
      'roles/r/tasks/main.yml',
      `- file: { path: "{{ playbook_dir }}/r", state: directory, mode: "{{ r_dir_mode }}" }
- copy: { dest: "{{ playbook_dir }}/r/secret", content: "s\\n", mode: "{{ r_mode }}" }
  when: r_enabled
  notify: touch
- file: path={{ playbook_dir }}/r/kv state=touch mode=0640
`,
    );
    await ws.write('roles/r/handlers/main.yml', '- name: touch\n  file: { path: "{{ playbook_dir }}/r/handled", state: touch, mode: 0604 }\n');
    await ws.write('vars.yml', 'top_mode: 0755\nflag: yes\nname_y: y\n');
    await ws.write(
      'site.yml',
      `- hosts: alpha
  gather_facts: false
  vars_files: [vars.yml]
  roles: [r]
  tasks:
    - file: { path: "{{ playbook_dir }}/top", state: directory, mode: "{{ top_mode }}" }
      when: flag
    - copy: { dest: "{{ playbook_dir }}/top/types", content: "{{ flag }} {{ name_y }} {{ top_mode }}\\n" }
`,
    );
    const run = await ws.run('site.yml');
    expect(results(run.events).filter((e) => e.status === 'failed')).toEqual([]);
    expect(await modeOf(join(ws.dir, 'r'))).toBe(0o710);
    expect(await modeOf(join(ws.dir, 'r/secret'))).toBe(0o600);
    expect(await modeOf(join(ws.dir, 'r/kv'))).toBe(0o640);
    expect(await modeOf(join(ws.dir, 'r/handled'))).toBe(0o604);
    expect(await modeOf(join(ws.dir, 'top'))).toBe(0o755);
    // PyYAML's booleans: yes is true (printed as Python prints it); y stays a string (the yaml package alone would make it true)
    expect(await readFile(join(ws.dir, 'top/types'), 'utf8')).toBe('True y 493\n');
  });

  it('takes modes as octal strings and symbolic modes, converging on the second run', async () => {
    await ws.write(
      'site.yml',
      `- hosts: alpha
  gather_facts: false
  tasks:
    - file: { path: "{{ playbook_dir }}/m", state: directory, mode: "u=rwx,g=rx,o=" }
    - copy: { dest: "{{ playbook_dir }}/m/a", content: "a\\n", mode: "644" }
    - file: { path: "{{ playbook_dir }}/m/a", mode: "u+x,g-r" }
    - copy: { dest: "{{ playbook_dir }}/m/b", content: "b\\n", mode: "u=rw,g=r" }
`,
    );
    const first = await ws.run('site.yml');
    expect(first.code).toBe(0);
    expect(await modeOf(join(ws.dir, 'm'))).toBe(0o750);
    expect(await modeOf(join(ws.dir, 'm/a'))).toBe(0o704);
    expect(await modeOf(join(ws.dir, 'm/b'))).toBe(0o644);
    const again = await ws.run('site.yml');
    // the copy resets a's mode to 644 and the symbolic task takes it to 704 again: both change, as in Ansible
    expect(again.stats.alpha).toMatchObject({ changed: 2, failed: 0 });
    await ws.write('bad.yml', '- hosts: alpha\n  tasks:\n    - file: { path: /tmp/x, mode: "u=rw,q=r" }\n');
    await expect(ws.run('bad.yml')).rejects.toThrow(/bad\.yml:3:\d+: .*mode: mode "u=rw,q=r" must be octal .* or symbolic/);
  });
});
