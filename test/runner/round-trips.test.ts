import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localTransport } from '../../lib/transport/local.js';
import type { Transport } from '../../lib/transport/transport.js';
import { LOCAL_INVENTORY, workspace, type Workspace } from './helpers.js';

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
  await ws.write('inventory.yml', LOCAL_INVENTORY);
});
afterEach(() => ws.cleanup());

const counting = (counter: { execs: number; puts: number; scripts?: string[] }) => async (): Promise<Transport> => {
  const t = localTransport();
  return {
    ...t,
    exec: (script, opts) => {
      counter.execs++;
      counter.scripts?.push(script);
      return t.exec(script, opts);
    },
    put: (dest, content, opts) => {
      counter.puts++;
      return t.put(dest, content, opts);
    },
  };
};

const twentyTasks = () => {
  const tasks: string[] = [];
  for (let i = 0; i < 7; i++) {
    tasks.push(`    - file: { path: "{{ playbook_dir }}/out/{{ inventory_hostname }}/d${i}", state: directory }`);
    tasks.push(`    - copy: { dest: "{{ playbook_dir }}/out/{{ inventory_hostname }}/d${i}/f", content: "v${i}\\n" }`);
    if (i < 6) tasks.push(`    - lineinfile: { path: "{{ playbook_dir }}/out/{{ inventory_hostname }}/d${i}/f", line: "v${i}" }`);
  }
  return `- hosts: all\n  gather_facts: false\n  tasks:\n${tasks.join('\n')}\n`;
};

describe('round trips', () => {
  it('a no-change run of 20 file/copy/lineinfile tasks reads each host once', async () => {
    await ws.write('site.yml', twentyTasks());
    const first = await ws.run('site.yml');
    expect(first.stats.alpha.changed).toBe(14);
    const counter = { execs: 0, puts: 0 };
    const second = await ws.run('site.yml', { connect: counting(counter) });
    expect(second.stats.alpha).toMatchObject({ ok: 20, changed: 0 });
    expect(second.stats.beta).toMatchObject({ ok: 20, changed: 0 });
    expect(counter).toEqual({ execs: 2, puts: 0 });
  });

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
    const counter = { execs: 0, puts: 0, scripts: [] as string[] };
    const res = await ws.run('site.yml', { connect: counting(counter), limit: 'beta' });
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
    const quiet = { execs: 0, puts: 0 };
    expect((await ws.run('site.yml', { connect: counting(quiet) })).stats.alpha).toMatchObject({ changed: 0, failed: 0 });
    expect(quiet.execs).toBe(1);
    const changing = { execs: 0, puts: 0 };
    await ws.run('site.yml', { connect: counting(changing), extraVars: { probe_changes: true } });
    expect(changing.execs).toBe(2);
  });
});
