import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { results, type Workspace, workspace } from '../runner/helpers.js';
import { type SshdFleet, startSshdHosts, TEST_USERS } from '../helpers/sshd.js';

// Extra vars win over the inventory, for the connection too (Ansible's precedence): an inventory pointing at a
// closed port, a wrong address or another user is redirected by -e.
let fleet: SshdFleet;
let ws: Workspace;
let closedPort: number;

const unusedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  fleet = await startSshdHosts(1);
  ws = await workspace();
  closedPort = await unusedPort();
  const h = fleet.hosts[0];
  const right = { ansible_host: h.address, ansible_user: TEST_USERS.passwordless, ansible_ssh_private_key_file: fleet.clientKey };
  await ws.write(
    'inventory.yml',
    stringify({
      all: {
        hosts: {
          closed_port: { ...right, ansible_port: closedPort },
          all_wrong: { ansible_host: '127.0.0.1', ansible_port: closedPort, ansible_user: 'nobody-here', ansible_ssh_private_key_file: '/nonexistent/key' },
        },
      },
    }),
  );
  await ws.write('whoami.yml', '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: id -un\n');
});

afterAll(async () => {
  await fleet?.stopAll();
  await ws?.cleanup();
});

const run = (limit: string, extraVars: Record<string, unknown>) =>
  ws.run('whoami.yml', { limit, extraVars, connectOptions: { knownHostsPath: fleet.knownHostsPath } });

describe('connection variables from -e', () => {
  it('the inventory alone is unreachable', async () => {
    expect((await run('all', {})).code).toBe(4);
  });

  it('-e ansible_port (a string, as `-e k=v` gives it) reaches the host the inventory points at a closed port of', async () => {
    const res = await run('closed_port', { ansible_port: String(fleet.hosts[0].port) });
    expect(res.code).toBe(0);
    expect(results(res.events)[0].result.stdout).toBe(TEST_USERS.passwordless);
  });

  it('-e ansible_host, ansible_port, ansible_user and ansible_ssh_private_key_file replace every inventory value', async () => {
    const h = fleet.hosts[0];
    const res = await run('all_wrong', {
      ansible_host: h.address,
      ansible_port: String(h.port),
      ansible_user: TEST_USERS.passwordless,
      ansible_ssh_private_key_file: fleet.clientKey,
    });
    expect(res.code).toBe(0);
    expect(results(res.events)[0].result.stdout).toBe(TEST_USERS.passwordless);
  });

  it('-e ansible_connection=local wins over the inventory ssh settings', async () => {
    const res = await run('all_wrong', { ansible_connection: 'local' });
    expect(res.code).toBe(0);
    expect(results(res.events)[0].result.stdout).toBe(userInfo().username);
  });
});
