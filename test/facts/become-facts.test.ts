import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SshdFleet, startSshdHosts, TEST_USERS } from '../helpers/sshd.js';
import { results, type Workspace, workspace } from '../runner/helpers.js';

// ansible_user: an unprivileged login, become: true (the README's own example): a path only root can see must
// look the same to the facts as to the task that changes it, or every run rewrites it and check mode lies.
let fleet: SshdFleet;
let ws: Workspace;
const dir = `/root/nop-become-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  fleet = await startSshdHosts(1);
  ws = await workspace();
  const h = fleet.hosts[0];
  await ws.write(
    'inventory.yml',
    stringify({
      all: {
        hosts: { h1: { ansible_host: h.address, ansible_port: h.port, ansible_user: TEST_USERS.passwordless, ansible_ssh_private_key_file: fleet.clientKey } },
      },
    }),
  );
  await ws.write(
    'site.yml',
    `- hosts: all
  gather_facts: false
  become: true
  tasks:
    - file: { path: "${dir}", state: directory, mode: "0700" }
    - copy: { dest: "${dir}/token", content: "{{ content }}", mode: "0600" }
    - lineinfile: { path: "${dir}/conf", line: "mode = {{ content }}", create: true, mode: "0600" }
`,
  );
});

afterAll(async () => {
  await ws?.run('cleanup.yml').catch(() => undefined);
  await fleet?.stopAll();
  await ws?.cleanup();
});

const run = (content: string, check = false) =>
  ws.run('site.yml', { extraVars: { content }, check, diff: true, connectOptions: { knownHostsPath: fleet.knownHostsPath } });

describe('facts are read with the task’s become', () => {
  it('root-only paths converge: the second run changes nothing', async () => {
    const first = await run('one');
    expect(first.code, JSON.stringify(results(first.events))).toBe(0);
    expect(first.stats.h1.changed).toBe(3);
    const second = await run('one');
    expect(second.stats.h1, JSON.stringify(results(second.events).filter((r) => r.status === 'changed'))).toMatchObject({ changed: 0, failed: 0 });
  });

  it('check mode plans exactly what a run would change, from what root sees', async () => {
    const check = await run('two', true);
    const changed = results(check.events).filter((r) => r.status === 'changed');
    expect(changed.map((r) => r.task)).toEqual(['copy', 'lineinfile']);
    // the file module found the directory root made: nothing to plan for it
    expect(results(check.events).find((r) => r.task === 'file')?.status).toBe('ok');
    await ws.write('cleanup.yml', `- hosts: all\n  gather_facts: false\n  become: true\n  tasks:\n    - file: { path: "${dir}", state: absent }\n`);
  });
});
