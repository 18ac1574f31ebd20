import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SshdFleet, startSshdHosts, TEST_USERS } from '../helpers/sshd.js';
import { results, type Workspace, workspace } from '../runner/helpers.js';

let fleet: SshdFleet;
let ws: Workspace;

beforeAll(async () => {
  fleet = await startSshdHosts(1);
  ws = await workspace();
  const h = fleet.hosts[0];
  await ws.write(
    'inventory.yml',
    stringify({
      all: {
        hosts: {
          h1: {
            ansible_host: h.address,
            ansible_port: h.port,
            ansible_user: TEST_USERS.passwordless,
            ansible_ssh_private_key_file: fleet.clientKey,
            ansible_become: true,
          },
        },
      },
    }),
  );
  await ws.write(
    'site.yml',
    `- hosts: all
  tasks:
    - command: id -un
      register: who
    - debug: { msg: "{{ ansible_user }} {{ ansible_user_id }}" }
`,
  );
});

afterAll(async () => {
  await fleet?.stopAll();
  await ws?.cleanup();
});

// Ansible's fact is ansible_user_id: a fact named ansible_user would replace the connection's login, and with it
// the become of every later task (the login would look like the become user)
describe('facts gathered with become', () => {
  it('leave ansible_user (the login) alone: the tasks after them still become root', async () => {
    const res = await ws.run('site.yml', { connectOptions: { knownHostsPath: fleet.knownHostsPath } });
    const r = results(res.events);
    expect(res.code, JSON.stringify(r)).toBe(0);
    expect(String(r.find((e) => e.task === 'command')?.result.stdout).trim()).toBe('root');
    expect(r.find((e) => e.task === 'debug')?.result.msg).toBe(`${TEST_USERS.passwordless} root`);
  });
});
