import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshTransport } from '../../lib/transport/ssh.js';
import type { Transport } from '../../lib/transport/transport.js';
import { type SshdFleet, startSshdHosts, TEST_USERS } from '../helpers/sshd.js';
import { results, type Workspace, workspace } from '../runner/helpers.js';

// The chatty user's bash prints a welcome line on stdout and a MOTD line on stderr before every command it runs
// for sshd: nothing of it may reach a command's result, a fact or a module.
let fleet: SshdFleet;
let ws: Workspace;
let transport: Transport;

beforeAll(async () => {
  fleet = await startSshdHosts(1);
  ws = await workspace();
  const h = fleet.hosts[0];
  transport = await sshTransport({
    host: h.address,
    port: h.port,
    user: TEST_USERS.chatty,
    privateKeyPath: fleet.clientKey,
    knownHostsPath: fleet.knownHostsPath,
  });
  const vars = { ansible_host: h.address, ansible_port: h.port, ansible_user: TEST_USERS.chatty, ansible_ssh_private_key_file: fleet.clientKey };
  await ws.write('inventory.yml', stringify({ all: { hosts: { chatty: vars } } }));
});

afterAll(async () => {
  await transport?.close();
  await fleet?.stopAll();
  await ws?.cleanup();
});

describe('a login shell that prints before every command', () => {
  it("a command's output is its own, though the login shell printed first", async () => {
    const raw = await transport.exec('echo marker');
    expect(raw.stdout).toBe('marker\n');
    expect(raw.stderr).toBe('');
  });

  it('modules and facts converge, and command output is the command’s own', async () => {
    const dir = `/home/${TEST_USERS.chatty}/nop-banner-${randomBytes(4).toString('hex')}`;
    await ws.write(
      'site.yml',
      `- hosts: chatty
  tasks:
    - file: { path: "${dir}", state: directory, mode: "0750" }
    - copy: { dest: "${dir}/app.conf", content: "port = 8080\\n", mode: "0640" }
    - lineinfile: { path: "${dir}/workers.conf", line: "workers = 4", create: true }
    - command: cat ${dir}/app.conf ${dir}/workers.conf
      register: conf
      changed_when: false
    - assert: { that: ["conf.stdout == 'port = 8080\\\\nworkers = 4'", "conf.stderr == ''"] }
`,
    );
    const run = () => ws.run('site.yml', { connectOptions: { knownHostsPath: fleet.knownHostsPath } });
    const first = await run();
    expect(first.code, JSON.stringify(results(first.events))).toBe(0);
    expect(first.stats.chatty).toMatchObject({ changed: 3, failed: 0 });
    const second = await run();
    expect(second.code).toBe(0);
    expect(second.stats.chatty, JSON.stringify(results(second.events).filter((r) => r.status === 'changed'))).toMatchObject({ ok: 6, changed: 0, failed: 0 });
    await transport.exec(`rm -rf -- '${dir}'`);
  });
});
