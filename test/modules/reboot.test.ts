import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebootModule } from '../../lib/modules/builtin/reboot.js';
import { waitForConnectionModule } from '../../lib/modules/builtin/wait_for_connection.js';
import { eventually } from '../helpers/eventually.js';
import { type SshdFleet, startSshdHosts, TEST_USERS } from '../helpers/sshd.js';
import { results, type Workspace, workspace } from '../runner/helpers.js';
import { runModule } from './helpers.js';

// A reboot over SSH, as the host lives it: the reboot command asks for it, the host goes away (its sshd and every
// session killed), comes back with another boot id, and nop reconnects; the tasks after it use the new connection.
let fleet: SshdFleet;
let ws: Workspace;

beforeAll(async () => {
  fleet = await startSshdHosts(1);
  ws = await workspace();
  const h = fleet.hosts[0];
  await writeFile(join(h.workDir, 'boot-id'), 'first boot\n', { mode: 0o644 });
  await ws.write(
    'inventory.yml',
    stringify({
      all: {
        hosts: { h1: { ansible_host: h.address, ansible_port: h.port, ansible_user: TEST_USERS.passwordless, ansible_ssh_private_key_file: fleet.clientKey } },
      },
    }),
  );
  await ws.write(
    'reboot.yml',
    `- hosts: all
  gather_facts: false
  tasks:
    - name: reboot
      reboot:
        reboot_command: touch ${h.workDir}/reboot-requested
        boot_time_command: cat ${h.workDir}/boot-id
        test_command: "true"
        connect_timeout: 2
    - name: after the reboot
      command: cat ${h.workDir}/boot-id
      register: boot
    - name: still reachable
      wait_for_connection:
        timeout: 30
`,
  );
});

afterAll(async () => {
  await fleet?.stopAll();
  await ws?.cleanup();
});

describe('reboot over SSH', () => {
  it('waits for the host to come back with another boot id on a new connection; later tasks use it', async () => {
    const h = fleet.hosts[0];
    const running = ws.run('reboot.yml', { connectOptions: { knownHostsPath: fleet.knownHostsPath } });
    // the "machine": when the reboot is asked for, it goes down (connections gone) and boots again
    await eventually(
      () => readFile(join(h.workDir, 'reboot-requested')),
      () => true,
      'the reboot to be asked for',
    );
    await h.stop();
    await writeFile(join(h.workDir, 'boot-id'), 'second boot\n');
    await rm(join(h.workDir, 'reboot-requested'));
    await h.start();
    const run = await running;
    const byTask = Object.fromEntries(results(run.events).map((e) => [e.task, e]));
    expect(run.code, JSON.stringify(results(run.events))).toBe(0);
    expect(byTask.reboot).toMatchObject({ status: 'changed', result: { rebooted: true } });
    expect(byTask['after the reboot']).toMatchObject({ status: 'changed', result: { stdout: 'second boot' } });
    expect(byTask['still reachable']).toMatchObject({ status: 'ok' });
  });
});

describe('reboot and wait_for_connection without a run', () => {
  it("refuses to reboot the machine nop runs on; reports check mode's reboot without doing it", async () => {
    expect(await runModule(rebootModule, {})).toMatchObject({ failed: true, msg: 'Running reboot with local connection would reboot the control node.' });
    expect(await runModule(waitForConnectionModule, { timeout: 5 })).toMatchObject({ changed: false, elapsed: 0 });
  });
});
