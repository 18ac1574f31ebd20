import { execFile } from 'node:child_process';
import { chown, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { results, type Workspace, workspace } from '../runner/helpers.js';
import { type SshdFleet, startSshdHosts, TEST_USERS } from '../helpers/sshd.js';
import { canMount, mountSmallDisk, NOT_ROOT, type SmallDisk } from '../helpers/tmpfs.js';

// Through the runner and the real modules, whatever their internals: a task whose write runs out of space fails,
// says why, and the file it was replacing keeps every byte.
let fleet: SshdFleet;
let ws: Workspace;
let disk: SmallDisk;
let loginUid: number;
const ORIGINAL = 'line one\nline two\n';
const BIG = 'x'.repeat(100 * 1024);

beforeAll(async () => {
  if (!canMount) return;
  fleet = await startSshdHosts(1);
  loginUid = Number((await promisify(execFile)('id', ['-u', TEST_USERS.passwordless])).stdout.trim());
  const h = fleet.hosts[0];
  disk = await mountSmallDisk(join(h.workDir, 'small'), 64);
  ws = await workspace();
  const host = { ansible_host: h.address, ansible_port: h.port, ansible_user: TEST_USERS.passwordless, ansible_ssh_private_key_file: fleet.clientKey };
  await ws.write('inventory.yml', stringify({ all: { hosts: { plain: host, root: { ...host, ansible_become: true } } } }));
  await ws.write('templates/big.j2', `{{ greeting }}\n${BIG}\n`);
});

afterAll(async () => {
  await disk?.unmount();
  await fleet?.stopAll();
  await ws?.cleanup();
});

const TASKS: Record<string, string> = {
  copy: `copy: { dest: "{{ target }}", content: "${BIG}" }`,
  template: 'template: { src: big.j2, dest: "{{ target }}" }',
  lineinfile: `lineinfile: { path: "{{ target }}", line: "${BIG}" }`,
};

const title = 'a module writing onto a full disk fails the task naming the errno; the original keeps its bytes';
describe.skipIf(!canMount)(canMount ? title : `${title} (skipped: ${NOT_ROOT})`, () => {
  for (const [module, task] of Object.entries(TASKS)) {
    for (const host of ['plain', 'root']) {
      it(`${module}, ${host === 'root' ? 'with become' : 'as the login user'}`, async () => {
        const target = join(disk.dir, `${module}-${host}.conf`);
        await writeFile(target, ORIGINAL);
        // the login user may replace only its own files in the sticky directory
        if (host === 'plain') await chown(target, loginUid, loginUid);
        const playbook = `${module}-${host}.yml`;
        await ws.write(playbook, `- hosts: ${host}\n  gather_facts: false\n  vars: { greeting: hello, target: "${target}" }\n  tasks:\n    - ${task}\n`);
        const run = await ws.run(playbook, { connectOptions: { knownHostsPath: fleet.knownHostsPath } });
        const [result] = results(run.events);
        expect(run.code).toBe(2);
        expect(result.status).toBe('failed');
        expect(String(result.result.msg)).toMatch(/No space left on device/);
        expect(await readFile(target, 'utf8')).toBe(ORIGINAL);
        expect((await readdir(disk.dir)).filter((n) => n.includes('.nop-'))).toEqual([]);
        await rm(target);
      });
    }
  }
});
