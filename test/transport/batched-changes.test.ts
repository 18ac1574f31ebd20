import { execFile } from 'node:child_process';
import { chown, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../lib/runner/types.js';
import { connectTransport } from '../../lib/transport/connect.js';
import type { Transport } from '../../lib/transport/transport.js';
import { type SshdFleet, startSshdHosts, TEST_USERS } from '../helpers/sshd.js';
import { canMount, mountSmallDisk, NOT_ROOT, type SmallDisk } from '../helpers/tmpfs.js';
import { type Counter, counting, expectFilePlayFiles } from '../helpers/counting-transport.js';
import { filePlaybook } from '../helpers/file-play.js';
import { results, type Workspace, workspace } from '../runner/helpers.js';

// A play's changes go to the host together (lib/runner/write-behind.ts), yet every task's result, failure and
// order are as if each had run on its own: here the disk fills up in the middle of the batch.
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
  disk = await mountSmallDisk(join(h.workDir, 'held'), 64);
  ws = await workspace();
  const host = { ansible_host: h.address, ansible_port: h.port, ansible_user: TEST_USERS.passwordless, ansible_ssh_private_key_file: fleet.clientKey };
  await ws.write('inventory.yml', stringify({ all: { hosts: { plain: host, root: { ...host, ansible_become: true } } } }));
});

afterAll(async () => {
  await disk?.unmount();
  await fleet?.stopAll();
  await ws?.cleanup();
});

beforeEach(async () => {
  if (!canMount) return;
  for (const name of await readdir(disk.dir)) await rm(join(disk.dir, name), { recursive: true, force: true });
});

// the commands sent to the host: the batch of held changes is one
let commands = 0;
const run = async (host: string, tasks: string) => {
  const playbook = `play-${host}.yml`;
  await ws.write(playbook, `- hosts: ${host}\n  gather_facts: false\n  vars: { d: "${disk.dir}" }\n  tasks:\n${tasks}`);
  commands = 0;
  const connect = async (name: string, vars: Record<string, unknown>): Promise<Transport> => {
    const t = await connectTransport(name, vars, { knownHostsPath: fleet.knownHostsPath });
    const exec: Transport['exec'] = (script, opts) => {
      commands++;
      return t.exec(script, opts);
    };
    return { ...t, exec };
  };
  return ws.run(playbook, { connect });
};

// the task events of one host, in the order they were emitted
const trail = (events: RunEvent[]) =>
  events.flatMap((e) =>
    e.type === 'task_start' ? [`start ${e.task}`] : e.type === 'task_result' ? [`${e.status} ${e.task}${e.item ? ` ${e.item}` : ''}`] : [],
  );

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );
const temps = async () => (await readdir(disk.dir)).filter((n) => n.includes('.nop-'));

const MIDDLE = `    - name: one
      copy: { dest: "{{ d }}/one.conf", content: "one\\n" }
    - name: dir
      file: { path: "{{ d }}/sub", state: directory, mode: "0750" }
    - name: big
      copy: { dest: "{{ d }}/big.conf", content: "${BIG}" }
    - name: after
      copy: { dest: "{{ d }}/sub/after.conf", content: "after\\n" }
    - name: command
      command: touch "{{ d }}/ran"
`;

const title = 'a write that runs out of space in the middle of a batch';
describe.skipIf(!canMount)(canMount ? title : `${title} (skipped: ${NOT_ROOT})`, () => {
  for (const host of ['plain', 'root']) {
    const as = host === 'root' ? 'with become' : 'as the login user';
    const original = async () => {
      await writeFile(join(disk.dir, 'big.conf'), ORIGINAL);
      // the login user may replace only its own files in the sticky directory
      if (host === 'plain') await chown(join(disk.dir, 'big.conf'), loginUid, loginUid);
    };

    it(`fails its task and keeps the original; the tasks before are done, nothing after runs (${as})`, async () => {
      await original();
      const r = await run(host, MIDDLE);
      expect(r.code).toBe(2);
      expect(trail(r.events)).toEqual(['start one', 'changed one', 'start dir', 'changed dir', 'start big', 'failed big']);
      // the facts, then the four copies and the directory in one command: the failure was found in the batch
      expect(commands).toBe(2);
      expect(String(results(r.events)[2].result.msg)).toMatch(/cannot write .*big\.conf.*No space left on device/);
      expect(r.stats[host]).toMatchObject({ ok: 2, changed: 2, failed: 1 });
      expect(await readFile(join(disk.dir, 'one.conf'), 'utf8')).toBe('one\n');
      expect(((await stat(join(disk.dir, 'sub'))).mode & 0o777).toString(8)).toBe('750');
      expect(await readFile(join(disk.dir, 'big.conf'), 'utf8')).toBe(ORIGINAL);
      expect(await exists(join(disk.dir, 'sub', 'after.conf'))).toBe(false);
      expect(await exists(join(disk.dir, 'ran'))).toBe(false);
      expect(await temps()).toEqual([]);
    });

    it(`a large file from the controller, streamed in the batch, fails the same way (${as})`, async () => {
      await original();
      const large = join(ws.dir, 'large.bin');
      await writeFile(large, Buffer.alloc(2 * 1024 * 1024, 120));
      const r = await run(host, MIDDLE.replace('copy: { dest: "{{ d }}/big.conf", content: "${BIG}" }', `copy: { dest: "{{ d }}/big.conf", src: "${large}" }`));
      expect(trail(r.events)).toEqual(['start one', 'changed one', 'start dir', 'changed dir', 'start big', 'failed big']);
      expect(commands).toBe(2);
      expect(String(results(r.events)[2].result.msg)).toMatch(/cannot write .*big\.conf.*No space left on device/);
      expect(await readFile(join(disk.dir, 'big.conf'), 'utf8')).toBe(ORIGINAL);
      expect(await exists(join(disk.dir, 'sub', 'after.conf'))).toBe(false);
      expect(await temps()).toEqual([]);
    });

    it(`small text, which the shell writes itself, fails the same way on a full disk (${as})`, async () => {
      await original();
      await promisify(execFile)('sh', ['-c', `head -c 1048576 /dev/zero > '${join(disk.dir, 'filler')}' 2>/dev/null; true`]);
      const r = await run(host, '    - name: small\n      copy: { dest: "{{ d }}/big.conf", content: "new\\n" }\n');
      expect(trail(r.events)).toEqual(['start small', 'failed small']);
      expect(String(results(r.events)[0].result.msg)).toMatch(/cannot write .*big\.conf.*No space left on device/);
      expect(await readFile(join(disk.dir, 'big.conf'), 'utf8')).toBe(ORIGINAL);
      expect(await temps()).toEqual([]);
    });

    it(`with ignore_errors the tasks after it run, on the host as it is (${as})`, async () => {
      await original();
      const r = await run(host, MIDDLE.replace('      copy: { dest: "{{ d }}/big.conf"', '      ignore_errors: true\n      copy: { dest: "{{ d }}/big.conf"'));
      expect(r.code).toBe(0);
      expect(trail(r.events)).toEqual([
        'start one',
        'changed one',
        'start dir',
        'changed dir',
        'start big',
        'failed big',
        'start after',
        'changed after',
        'start command',
        'changed command',
      ]);
      // an ignored failure counts as ok too, as in Ansible's recap
      expect(r.stats[host]).toMatchObject({ ok: 5, changed: 4, failed: 0, ignored: 1 });
      expect(await readFile(join(disk.dir, 'big.conf'), 'utf8')).toBe(ORIGINAL);
      expect(await readFile(join(disk.dir, 'sub', 'after.conf'), 'utf8')).toBe('after\n');
      expect(await exists(join(disk.dir, 'ran'))).toBe(true);
    });
  }

  it('the items of a loop after the failed one still run, as in Ansible', async () => {
    const r = await run(
      'plain',
      `    - name: files
      copy: { dest: "{{ d }}/{{ item.name }}", content: "{{ item.content }}" }
      loop: [{ name: a, content: "a" }, { name: b, content: "${BIG}" }, { name: c, content: "c" }]
      loop_control: { label: "{{ item.name }}" }
    - name: not reached
      command: touch "{{ d }}/ran"
`,
    );
    expect(trail(r.events)).toEqual(['start files', 'changed files a', 'failed files b', 'changed files c']);
    expect(await readFile(join(disk.dir, 'a'), 'utf8')).toBe('a');
    expect(await readFile(join(disk.dir, 'c'), 'utf8')).toBe('c');
    expect(await exists(join(disk.dir, 'b'))).toBe(false);
    expect(await exists(join(disk.dir, 'ran'))).toBe(false);
  });

  it('what the tasks after the failure did in memory is undone: a rescue sees none of it', async () => {
    const r = await run(
      'plain',
      `    - block:
        - name: big
          copy: { dest: "{{ d }}/big.conf", content: "${BIG}" }
        - name: after
          set_fact: { reached: true }
          notify: never
      rescue:
        - name: rescue
          set_fact: { saw_reached: "{{ reached is defined }}" }
  handlers:
    - name: never
      command: touch "{{ d }}/ran"
`,
    );
    expect(trail(r.events)).toEqual(['start big', 'failed big', 'start rescue', 'ok rescue']);
    expect(results(r.events)[1].result.ansible_facts).toEqual({ saw_reached: false });
    expect(r.stats.plain).toMatchObject({ failed: 0, rescued: 1 });
    expect(await exists(join(disk.dir, 'ran'))).toBe(false);
  });
});

describe('round trips of the 20-task play over SSH, per host', () => {
  let pair: SshdFleet;
  let play: Workspace;
  beforeAll(async () => {
    pair = await startSshdHosts(2);
    play = await workspace();
    const hosts = Object.fromEntries(
      pair.hosts.map((h, i) => [
        `h${i}`,
        {
          ansible_host: h.address,
          ansible_port: h.port,
          ansible_user: TEST_USERS.passwordless,
          ansible_ssh_private_key_file: pair.clientKey,
          root: h.workDir,
        },
      ]),
    );
    await play.write('inventory.yml', stringify({ all: { hosts: hosts } }));
    await play.write('site.yml', filePlaybook('{{ root }}/play'));
  });
  afterAll(async () => {
    await pair?.stopAll();
    await play?.cleanup();
  });

  it('a first run is two commands per host (read, then every change), a no-change run one', async () => {
    const connect = (host: string, vars: Record<string, unknown>) => connectTransport(host, vars, { knownHostsPath: pair.knownHostsPath });
    const first: Counter = {};
    const run1 = await play.run('site.yml', { connect: counting(first, connect) });
    expect(run1.stats.h0).toMatchObject({ ok: 20, changed: 20, failed: 0 });
    expect(first).toEqual({ h0: { execs: 2, puts: 0, gets: 0 }, h1: { execs: 2, puts: 0, gets: 0 } });
    for (const h of pair.hosts) await expectFilePlayFiles(join(h.workDir, 'play'));
    const again: Counter = {};
    const run2 = await play.run('site.yml', { connect: counting(again, connect) });
    expect(run2.stats.h1).toMatchObject({ ok: 20, changed: 0 });
    expect(again).toEqual({ h0: { execs: 1, puts: 0, gets: 0 }, h1: { execs: 1, puts: 0, gets: 0 } });
  });

  // files larger than what a batch holds in memory: uploaded together over SFTP where their directory exists, then
  // installed by the batch; streamed in the batch's own stdin where the batch makes their directory
  it('large files from the controller go with the other changes: a first run is still two commands per host', async () => {
    const sizes = [3 * 1024 * 1024 + 7, 2 * 1024 * 1024];
    for (const [i, size] of sizes.entries()) await writeFile(join(play.dir, `big${i}.bin`), Buffer.alloc(size, 97 + i));
    const tasks = [`    - copy: { src: "{{ playbook_dir }}/big0.bin", dest: "{{ root }}/big0.bin" }`];
    tasks.push(
      ...sizes.flatMap((_, i) => [
        `    - file: { path: "{{ root }}/large/d${i}", state: directory, mode: "0750" }`,
        `    - copy: { src: "{{ playbook_dir }}/big${i}.bin", dest: "{{ root }}/large/d${i}/big.bin", mode: "0640" }`,
        `    - copy: { dest: "{{ root }}/large/d${i}/small.conf", content: "small ${i}\\n" }`,
      ]),
    );
    await play.write('large.yml', `- hosts: all\n  gather_facts: false\n  tasks:\n${tasks.join('\n')}\n`);
    // the content uploaded ahead of the batch over SFTP, where its directory exists already
    const staged: string[] = [];
    const connect = async (host: string, vars: Record<string, unknown>) => {
      const t = await connectTransport(host, vars, { knownHostsPath: pair.knownHostsPath });
      const stage = t.stage!;
      return {
        ...t,
        stage: async (dest: string, path: string) => {
          const file = await stage(dest, path);
          staged.push(dest);
          return file;
        },
      };
    };
    const first: Counter = {};
    const run1 = await play.run('large.yml', { connect: counting(first, connect) });
    expect(run1.stats.h0).toMatchObject({ ok: 7, changed: 7, failed: 0 });
    expect(first).toEqual({ h0: { execs: 2, puts: 0, gets: 0 }, h1: { execs: 2, puts: 0, gets: 0 } });
    expect(staged.sort()).toEqual(pair.hosts.map((h) => join(h.workDir, 'big0.bin')).sort());
    for (const h of pair.hosts) expect((await readFile(join(h.workDir, 'big0.bin'))).equals(Buffer.alloc(sizes[0], 97))).toBe(true);
    for (const h of pair.hosts) {
      for (const [i, size] of sizes.entries()) {
        const big = join(h.workDir, 'large', `d${i}`, 'big.bin');
        expect((await readFile(big)).equals(Buffer.alloc(size, 97 + i))).toBe(true);
        expect(((await stat(big)).mode & 0o777).toString(8)).toBe('640');
        expect(await readFile(join(h.workDir, 'large', `d${i}`, 'small.conf'), 'utf8')).toBe(`small ${i}\n`);
        expect((await readdir(join(h.workDir, 'large', `d${i}`))).filter((n) => n.includes('.nop-'))).toEqual([]);
      }
    }
    const again: Counter = {};
    const run2 = await play.run('large.yml', { connect: counting(again, connect) });
    expect(run2.stats.h1).toMatchObject({ ok: 7, changed: 0 });
    expect(again).toEqual({ h0: { execs: 1, puts: 0, gets: 0 }, h1: { execs: 1, puts: 0, gets: 0 } });
  });
});
