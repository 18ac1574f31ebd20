import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../lib/runner/types.js';
import { startSshdHosts, type SshdFleet } from '../helpers/sshd.js';
import { results, workspace, type Workspace } from '../runner/helpers.js';

let fleet: SshdFleet;
let ws: Workspace;

const inventory = (hosts = fleet.hosts) =>
  stringify({
    all: {
      hosts: Object.fromEntries(
        hosts.map((h) => [
          h.name,
          { ansible_host: h.address, ansible_port: h.port, ansible_user: 'noptest', ansible_ssh_private_key_file: fleet.clientKey, work: h.workDir },
        ]),
      ),
    },
  });

const run = (playbook: string, opts: Parameters<Workspace['run']>[1] = {}) =>
  ws.run(playbook, { forks: 3, ...opts, connectOptions: { knownHostsPath: fleet.knownHostsPath, ...opts.connectOptions } });

const remoteSnapshot = async (): Promise<string> => {
  const snap = await run('snapshot.yml');
  return results(snap.events)
    .map((e) => `${e.host}:${String(e.result.stdout)}`)
    .sort()
    .join('\n');
};

beforeAll(async () => {
  fleet = await startSshdHosts(3);
  ws = await workspace();
  await ws.write('inventory.yml', inventory());
  await ws.write(
    'snapshot.yml',
    `- hosts: all\n  gather_facts: false\n  tasks:\n    - shell: "cd {{ work }} && find . -exec stat -c '%n %s %a' {} + | sort"\n      changed_when: false\n`,
  );
});
afterAll(async () => {
  await fleet?.stopAll();
  await ws?.cleanup();
});

describe('a playbook over real SSH', () => {
  it('converges three hosts in parallel; the second run changes nothing; check mode writes nothing remotely', async () => {
    await ws.write(
      'site.yml',
      `- hosts: all
  gather_facts: true
  tasks:
    - file: { path: "{{ work }}/app", state: directory, mode: "0755" }
    - copy: { dest: "{{ work }}/app/app.conf", content: "host={{ inventory_hostname }} arch={{ ansible_architecture }}\\n", mode: "0640" }
    - lineinfile: { path: "{{ work }}/app/extra.conf", line: "debug=false", create: true }
    - command: "cat {{ work }}/app/app.conf"
      register: conf
      changed_when: false
      when: not ansible_check_mode
    - assert: { that: ["'host=' in conf.stdout"] }
      when: not ansible_check_mode
`,
    );
    const fresh = await remoteSnapshot();
    const check = await run('site.yml', { check: true });
    expect(check.code).toBe(0);
    expect(await remoteSnapshot()).toBe(fresh);

    const first = await run('site.yml');
    expect(first.code).toBe(0);
    for (const h of fleet.hosts) expect(first.stats[h.name]).toMatchObject({ changed: 3, failed: 0, unreachable: 0 });
    const converged = await remoteSnapshot();
    expect(converged).toContain('./app/app.conf');

    const second = await run('site.yml');
    for (const h of fleet.hosts) expect(second.stats[h.name]).toMatchObject({ changed: 0, failed: 0 });
    const plan = await run('site.yml', { check: true, extraVars: { ansible_architecture: 'riscv' } });
    for (const h of fleet.hosts) expect(plan.stats[h.name]).toMatchObject({ changed: 1, failed: 0 });
    expect(await remoteSnapshot()).toBe(converged);
  });

  it('runs serial batches in order', async () => {
    await ws.write('serial.yml', `- hosts: all\n  gather_facts: false\n  serial: 2\n  tasks:\n    - command: "true"\n`);
    const res = await run('serial.yml');
    const starts = res.events.filter((e): e is Extract<RunEvent, { type: 'task_start' }> => e.type === 'task_start').map((e) => e.host);
    expect(starts.slice(0, 2).sort()).toEqual([fleet.hosts[0].name, fleet.hosts[1].name].sort());
    expect(starts[2]).toBe(fleet.hosts[2].name);
  });

  it('becomes root through sudo', async () => {
    await ws.write(
      'become.yml',
      `- hosts: all\n  gather_facts: false\n  tasks:\n    - command: id -u\n      become: true\n      register: uid\n      changed_when: false\n    - assert: { that: ["uid.stdout == '0'"] }\n`,
    );
    const res = await run('become.yml');
    expect(res.code).toBe(0);
  });

  it('copies a 50 MB file intact', async () => {
    const big = randomBytes(50 * 1024 * 1024);
    const src = join(ws.dir, 'big.bin');
    await writeFile(src, big);
    const sum = createHash('sha256').update(big).digest('hex');
    await ws.write(
      'big.yml',
      `- hosts: all\n  gather_facts: false\n  tasks:\n    - copy: { src: "${src}", dest: "{{ work }}/big.bin" }\n    - command: "sha256sum {{ work }}/big.bin"\n      register: sum\n      changed_when: false\n`,
    );
    const res = await run('big.yml', { limit: fleet.hosts[0].name });
    expect(res.code).toBe(0);
    expect(String(results(res.events).find((e) => e.task === 'command')?.result.stdout)).toContain(sum);
  });

  it('marks a host whose sshd dies mid-run unreachable, finishes the others, and re-runs it from the retry file', async () => {
    const victim = fleet.hosts[1];
    await ws.write(
      'slow.yml',
      `- hosts: all\n  gather_facts: false\n  tasks:\n    - command: sleep 1.5\n    - copy: { dest: "{{ work }}/after", content: "done\\n" }\n`,
    );
    const pending = run('slow.yml');
    setTimeout(() => void victim.stop(), 600);
    const res = await pending;
    expect(res.code).toBe(4);
    expect(res.stats[victim.name]).toMatchObject({ unreachable: 1 });
    for (const h of [fleet.hosts[0], fleet.hosts[2]]) expect(res.stats[h.name]).toMatchObject({ failed: 0, unreachable: 0, ok: 2 });
    expect((await readFile(res.retryFile!, 'utf8')).trim()).toBe(victim.name);
    await victim.start();
    const retry = await run('slow.yml', { limit: `@${res.retryFile}` });
    expect(retry.code).toBe(0);
    expect(Object.keys(retry.stats)).toEqual([victim.name]);
  });
});

describe('host keys over SSH', () => {
  const target = () => fleet.hosts[2];
  const ping = `- hosts: all\n  gather_facts: false\n  tasks:\n    - command: "true"\n`;

  it('refuses an unknown host with the line to add, and records it with accept-new-host-keys', async () => {
    const known = join(ws.dir, 'known_hosts_empty');
    await writeFile(known, '');
    await ws.write('ping.yml', ping);
    const refused = await run('ping.yml', { limit: target().name, connectOptions: { knownHostsPath: known } });
    expect(refused.code).toBe(4);
    const msg = String(results(refused.events)[0].result.msg);
    expect(msg).toContain(`[${target().address}]:${target().port} ${target().hostKeyPub}`);
    const accepted = await run('ping.yml', { limit: target().name, connectOptions: { knownHostsPath: known, acceptNewHostKeys: true } });
    expect(accepted.code).toBe(0);
    expect(await readFile(known, 'utf8')).toContain(target().hostKeyPub);
  });

  it('always refuses a changed host key', async () => {
    const known = join(ws.dir, 'known_hosts_changed');
    const other = fleet.hosts[0].hostKeyPub;
    await writeFile(known, `[${target().address}]:${target().port} ${other}\n`);
    const res = await run('ping.yml', { limit: target().name, connectOptions: { knownHostsPath: known, acceptNewHostKeys: true } });
    expect(res.code).toBe(4);
    expect(String(results(res.events)[0].result.msg)).toMatch(/HOST IDENTIFICATION HAS CHANGED/);
  });
});
