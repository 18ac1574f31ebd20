import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localTransport } from '../../lib/transport/local.js';
import type { Transport } from '../../lib/transport/transport.js';
import { type Counter, counting, expectFilePlayFiles } from '../helpers/counting-transport.js';
import { filePlaybook } from '../helpers/file-play.js';
import { programCounter } from '../helpers/program-counter.js';
import { LOCAL_INVENTORY, workspace, type Workspace } from './helpers.js';

// over SSH too: test/transport/batched-changes.test.ts
const local = async () => localTransport();

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
    await expectFilePlayFiles(join(ws.dir, 'out', 'alpha'));
  });

  // what the first run costs the host, counted (never timed): the local transport's commands inherit this PATH
  const firstRunPrograms = async (omit: string[]) => {
    // the play's directories go into one that exists: each made by one mkdir where the shell makes it (test/modules/file.test.ts)
    await mkdir(join(ws.dir, 'out', 'alpha'), { recursive: true });
    const counter = await programCounter(omit);
    const PATH = process.env.PATH;
    process.env.PATH = counter.path;
    try {
      const first = await ws.run('site.yml', { limit: 'alpha' });
      expect(first.stats.alpha).toMatchObject({ ok: 20, changed: 20, failed: 0 });
      return await counter.programs();
    } finally {
      process.env.PATH = PATH;
      await counter.cleanup();
      await expectFilePlayFiles(join(ws.dir, 'out', 'alpha'));
    }
  };
  const count = (programs: string[], names: string[]) => Object.fromEntries(names.map((n) => [n, programs.filter((p) => p === n).length]));

  it("a first run's processes: the probe's find (identity from its own /proc/self), then one perl that makes every directory and file", async () => {
    const programs = await firstRunPrograms([]);
    expect(programs.sort()).toEqual(['find', 'perl']);
  });

  it("a first run's processes on a host without perl: a mkdir per directory and a mv per file (the shell writes their text)", async () => {
    const programs = await firstRunPrograms(['perl']);
    expect(count(programs, ['find', 'id', 'mkdir', 'chmod', 'head', 'mv'])).toEqual({ find: 1, id: 0, mkdir: 7, chmod: 0, head: 0, mv: 13 });
    expect(programs).toHaveLength(1 + 7 + 13);
  });

  // one command line holds at most 128 KiB: more changes than fit go in more commands, in order, all applied
  it('a first run with more changes than one command line holds sends them in several', async () => {
    const items = 200;
    const tasks = [
      '    - file: { path: "{{ playbook_dir }}/many", state: directory }',
      `    - copy: { dest: "{{ playbook_dir }}/many/file-with-a-longer-name-{{ item }}.conf", content: "item {{ item }}\\n", mode: "0640" }`,
      `      loop: "{{ range(${items}) | list }}"`,
    ];
    await ws.write('many.yml', `- hosts: alpha\n  gather_facts: false\n  tasks:\n${tasks.join('\n')}\n`);
    const counter: Counter = {};
    const first = await ws.run('many.yml', { connect: counting(counter, local) });
    expect(first.stats.alpha).toMatchObject({ ok: 2, changed: 2, failed: 0 });
    expect(counter.alpha.execs).toBeGreaterThan(2);
    for (let i = 0; i < items; i++) expect(await readFile(join(ws.dir, 'many', `file-with-a-longer-name-${i}.conf`), 'utf8')).toBe(`item ${i}\n`);
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

  it("reads each coming task's facts with that task's own variables: a role's defaults and parameters, a task's vars", async () => {
    await ws.write('roles/conf/defaults/main.yml', 'conf_name: from-defaults\n');
    await ws.write('roles/conf/tasks/main.yml', '- copy: { dest: "{{ base }}/{{ conf_name }}.conf", content: "role\\n" }\n');
    await ws.write(
      'site.yml',
      `- hosts: all
  gather_facts: false
  vars: { base: "{{ playbook_dir }}/out/{{ inventory_hostname }}" }
  pre_tasks:
    - file: { path: "{{ base }}", state: directory }
  roles:
    - conf
    - { role: conf, conf_name: from-params }
  tasks:
    - copy: { dest: "{{ base }}/{{ conf_name }}.conf", content: "task\\n" }
      vars: { conf_name: one }
    - copy: { dest: "{{ base }}/{{ conf_name }}.conf", content: "task\\n" }
      vars: { conf_name: two }
`,
    );
    await ws.run('site.yml', { limit: 'beta' });
    const counter = { execs: 0, scripts: [] as string[] };
    const again = await ws.run('site.yml', { connect: recording(counter), limit: 'beta' });
    expect(again.stats.beta).toMatchObject({ ok: 5, changed: 0 });
    // one read for the whole play: every task found its facts read ahead under its own paths
    expect(counter.execs).toBe(1);
    for (const name of ['from-defaults', 'from-params', 'one', 'two']) expect(counter.scripts[0]).toContain(`/out/beta/${name}.conf`);
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
