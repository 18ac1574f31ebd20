import { chmod, readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_INVENTORY, results, workspace, type Workspace } from './helpers.js';

const OLD = 'old-keyring-pass-4b1e';
const NEW = 'new-keyring-pass-9c2d';
const HIDDEN = '(content hidden: it holds secrets)';

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
  await ws.write('inventory.yml', LOCAL_INVENTORY);
});
afterEach(() => ws.cleanup());

const diffOf = (events: Awaited<ReturnType<Workspace['run']>>['events'], task: string) => results(events).find((e) => e.task === task)?.diff ?? '';

describe('--diff never shows a secret, before or after', () => {
  it('rotating a keyring password in a template shows neither the old nor the new password', async () => {
    const dest = await ws.write('out/keyring.yml', `backend: file\nkeyring_password: ${OLD}\n`);
    await chmod(dest, 0o600);
    await ws.write('templates/keyring.yml.hbs', 'backend: file\nkeyring_password: {{ keyring_password }}\n');
    await ws.write(
      'site.yml',
      `- hosts: alpha
  gather_facts: false
  tasks:
    - name: keyring settings
      template: { src: keyring.yml.hbs, dest: "{{ playbook_dir }}/out/keyring.yml", mode: "0600" }
`,
    );
    for (const check of [true, false]) {
      const res = await ws.run('site.yml', { diff: true, check, extraVars: { keyring_password: NEW } });
      expect(res.code, JSON.stringify(res.events)).toBe(0);
      expect(diffOf(res.events, 'keyring settings')).toContain(HIDDEN);
      const emitted = JSON.stringify(res.events);
      expect(emitted).not.toContain(OLD);
      expect(emitted).not.toContain(NEW);
    }
    expect(await readFile(dest, 'utf8')).toBe(`backend: file\nkeyring_password: ${NEW}\n`);
  });

  it('hides a lineinfile edit of a file others cannot read', async () => {
    const dest = await ws.write('out/db.conf', `host=db1\npassword=${OLD}\n`);
    await chmod(dest, 0o640);
    await ws.write(
      'site.yml',
      `- hosts: alpha
  gather_facts: false
  tasks:
    - name: db host
      lineinfile: { path: "{{ playbook_dir }}/out/db.conf", regexp: "^host=", line: "host=db2" }
`,
    );
    const res = await ws.run('site.yml', { diff: true });
    expect(res.code).toBe(0);
    expect(diffOf(res.events, 'db host')).toContain(HIDDEN);
    expect(JSON.stringify(res.events)).not.toContain(OLD);
  });

  it('hides a world-readable file whose previous content holds a secret of the run', async () => {
    await ws.write('out/app.conf', `port=1\ntoken=${NEW}\n`);
    await ws.write(
      'site.yml',
      `- hosts: alpha
  gather_facts: false
  tasks:
    - name: app
      copy: { dest: "{{ playbook_dir }}/out/app.conf", content: "port=2\\n" }
`,
    );
    const res = await ws.run('site.yml', { diff: true, check: true, extraVars: { api_token: NEW } });
    expect(diffOf(res.events, 'app')).toContain(HIDDEN);
    expect(JSON.stringify(res.events)).not.toContain(NEW);
  });

  it('still shows the diff of a world-readable file without secrets, with the new secret redacted', async () => {
    await ws.write('out/app.conf', 'port=1\n');
    await ws.write(
      'site.yml',
      `- hosts: alpha
  gather_facts: false
  tasks:
    - name: app
      copy: { dest: "{{ playbook_dir }}/out/app.conf", content: "port=2\\npass={{ db_password }}\\n" }
`,
    );
    const res = await ws.run('site.yml', { diff: true, check: true, extraVars: { db_password: NEW } });
    const diff = diffOf(res.events, 'app');
    expect(diff).toContain('-port=1');
    expect(diff).toContain('+pass=********');
    expect(JSON.stringify(res.events)).not.toContain(NEW);
  });
});
