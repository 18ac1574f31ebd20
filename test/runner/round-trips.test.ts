import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectTransport } from '../../lib/transport/connect.js';
import { localTransport } from '../../lib/transport/local.js';
import type { Transport } from '../../lib/transport/transport.js';
import { filePlaybook } from '../helpers/file-play.js';
import { type SshdFleet, startSshdHosts, TEST_USERS } from '../helpers/sshd.js';
import { LOCAL_INVENTORY, workspace, type Workspace } from './helpers.js';

type Counter = Record<string, { execs: number; puts: number; gets: number }>;

// every operation that reaches a host, counted per host at the transport (a batch of changes is one exec)
const counting =
  (counter: Counter, connect: (host: string, vars: Record<string, unknown>) => Promise<Transport>) =>
  async (host: string, vars: Record<string, unknown>): Promise<Transport> => {
    const t = await connect(host, vars);
    const c = { execs: 0, puts: 0, gets: 0 };
    counter[host] = c;
    return {
      ...t,
      exec: (script, opts) => {
        c.execs++;
        return t.exec(script, opts);
      },
      put: (dest, content, opts) => {
        c.puts++;
        return t.put(dest, content, opts);
      },
      putFile: (dest, path, opts) => {
        c.puts++;
        return t.putFile(dest, path, opts);
      },
      get: (path, opts) => {
        c.gets++;
        return t.get(path, opts);
      },
    };
  };

const local = async () => localTransport();

const expectFiles = async (root: string) => {
  for (let i = 0; i < 7; i++) {
    expect(((await stat(join(root, `d${i}`))).mode & 0o777).toString(8)).toBe('755');
    expect(await readFile(join(root, `d${i}`, 'app.conf'), 'utf8')).toBe(`id=${i}\nport=80${i}0\n`);
    if (i < 6) expect(await readFile(join(root, `d${i}`, 'extra.conf'), 'utf8')).toBe(`debug=${i}\n`);
  }
};

describe('round trips of the 20-task file/copy/lineinfile play, per host', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await workspace();
    await ws.write('inventory.yml', LOCAL_INVENTORY);
    await ws.write('site.yml', filePlaybook('{{ playbook_dir }}/out/{{ inventory_hostname }}'));
  });
  afterEach(() => ws.cleanup());

  it('a first run reads each host once and applies its 20 changes in one command', async () => {
    const counter: Counter = {};
    const first = await ws.run('site.yml', { connect: counting(counter, local) });
    expect(first.stats.alpha).toMatchObject({ ok: 20, changed: 20, failed: 0 });
    expect(counter).toEqual({ alpha: { execs: 2, puts: 0, gets: 0 }, beta: { execs: 2, puts: 0, gets: 0 } });
    await expectFiles(join(ws.dir, 'out', 'alpha'));
  });

  it('a no-change run reads each host once', async () => {
    await ws.run('site.yml');
    const counter: Counter = {};
    const second = await ws.run('site.yml', { connect: counting(counter, local) });
    expect(second.stats.alpha).toMatchObject({ ok: 20, changed: 0 });
    expect(second.stats.beta).toMatchObject({ ok: 20, changed: 0 });
    expect(counter).toEqual({ alpha: { execs: 1, puts: 0, gets: 0 }, beta: { execs: 1, puts: 0, gets: 0 } });
  });
});

describe('over SSH', () => {
  let fleet: SshdFleet;
  let ws: Workspace;
  beforeAll(async () => {
    fleet = await startSshdHosts(2);
    ws = await workspace();
    const hosts = Object.fromEntries(
      fleet.hosts.map((h, i) => [
        `h${i}`,
        {
          ansible_host: h.address,
          ansible_port: h.port,
          ansible_user: TEST_USERS.passwordless,
          ansible_ssh_private_key_file: fleet.clientKey,
          root: h.workDir,
        },
      ]),
    );
    await ws.write('inventory.yml', stringify({ all: { hosts: hosts } }));
    await ws.write('site.yml', filePlaybook('{{ root }}/play'));
  });
  afterAll(async () => {
    await fleet?.stopAll();
    await ws?.cleanup();
  });

  it('a first run is two commands per host (read, then every change), a no-change run one', async () => {
    const connect = (host: string, vars: Record<string, unknown>) => connectTransport(host, vars, { knownHostsPath: fleet.knownHostsPath });
    const first: Counter = {};
    const run1 = await ws.run('site.yml', { connect: counting(first, connect) });
    expect(run1.stats.h0).toMatchObject({ ok: 20, changed: 20, failed: 0 });
    expect(first).toEqual({ h0: { execs: 2, puts: 0, gets: 0 }, h1: { execs: 2, puts: 0, gets: 0 } });
    for (const h of fleet.hosts) await expectFiles(join(h.workDir, 'play'));
    const again: Counter = {};
    const run2 = await ws.run('site.yml', { connect: counting(again, connect) });
    expect(run2.stats.h1).toMatchObject({ ok: 20, changed: 0 });
    expect(again).toEqual({ h0: { execs: 1, puts: 0, gets: 0 }, h1: { execs: 1, puts: 0, gets: 0 } });
  });
});

// what the play reads ahead, and what a code task keeps of it: counted with the scripts that reached the host
describe('reading ahead', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await workspace();
    await ws.write('inventory.yml', LOCAL_INVENTORY);
  });
  afterEach(() => ws.cleanup());

  const recording = (counter: { execs: number; scripts: string[] }) => async (): Promise<Transport> => {
    const t = localTransport();
    return {
      ...t,
      exec: (script, opts) => {
        counter.execs++;
        counter.scripts.push(script);
        return t.exec(script, opts);
      },
    };
  };

  it('reads ahead only for tasks whose when may hold: a role the play gives to other groups reads nothing', async () => {
    await ws.write(
      'site.yml',
      `- hosts: all
  gather_facts: false
  tasks:
    - file: { path: "{{ playbook_dir }}/out/{{ inventory_hostname }}", state: directory }
    - file: { path: "{{ playbook_dir }}/gpu-only/{{ inventory_hostname }}", state: directory }
      when: "'gpu' in group_names"
`,
    );
    const counter = { execs: 0, scripts: [] as string[] };
    const res = await ws.run('site.yml', { connect: recording(counter), limit: 'beta' });
    expect(res.stats.beta).toMatchObject({ changed: 1, skipped: 1 });
    expect(counter.scripts[0]).toContain('/out/beta');
    expect(counter.scripts.join('\n')).not.toContain('gpu-only');
  });

  it('a code task that reports no change keeps the facts read so far; one that changed something drops what it may have changed', async () => {
    // a TypeScript role (compiled: plain JavaScript) between two tasks reading the same directory
    await ws.write(
      'roles/probe/index.mjs',
      `const vars = { safeParse: () => ({ success: true, data: {} }) };
export default { name: 'probe', vars, tasks: [{ name: 'look', run: async (_ctx, v) => ({ changed: v.probe_changes === true, msg: 'looked' }) }] };
`,
    );
    await ws.write(
      'site.yml',
      `- hosts: alpha
  gather_facts: false
  pre_tasks:
    - file: { path: "{{ playbook_dir }}/out", state: directory }
  roles: [probe]
  post_tasks:
    - file: { path: "{{ playbook_dir }}/out", state: directory }
`,
    );
    await ws.run('site.yml');
    const quiet = { execs: 0, scripts: [] as string[] };
    expect((await ws.run('site.yml', { connect: recording(quiet) })).stats.alpha).toMatchObject({ changed: 0, failed: 0 });
    expect(quiet.execs).toBe(1);
    const changing = { execs: 0, scripts: [] as string[] };
    await ws.run('site.yml', { connect: recording(changing), extraVars: { probe_changes: true } });
    expect(changing.execs).toBe(2);
  });
});
