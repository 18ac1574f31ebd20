import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localTransport } from '../../lib/transport/local.js';
import { type Counter, counting } from '../helpers/counting-transport.js';
import { results, workspace, type Workspace } from './helpers.js';

// issue 14 item 4: every role's variables and preconditions, on every host of every play, before the first change
const zodUrl = pathToFileURL(createRequire(import.meta.url).resolve('zod')).href;
const fact = (file: string) => pathToFileURL(resolve('lib/facts', file)).href;

// a compiled role (plain JavaScript, as a TypeScript role ships): a required variable, and a precondition on the
// free space of a directory, read through the real disk_space fact
const CHECKED_ROLE = `import { z } from '${zodUrl}';
import { diskSpace } from '${fact('builtin/disk-space.ts')}';
import { request } from '${fact('fact.ts')}';
const vars = z.object({
  room_dir: z.string().describe('where the room must be'),
  room_gb: z.coerce.number().describe('GB that must be free there'),
  site_name: z.string().describe('a value the operator must give'),
});
const room = {
  name: 'Room to work',
  facts: (v) => [request(diskSpace, v.room_dir)],
  invalidates: [],
  run: async (ctx, v) => {
    const free = (await ctx.facts.read(diskSpace, v.room_dir)).available_bytes / 1e9;
    return free >= v.room_gb ? { changed: false } : { changed: false, failed: true, msg: 'only ' + Math.floor(free) + ' GB free in ' + v.room_dir };
  },
};
export default { name: 'checked', vars, preconditions: [room], tasks: [
  { name: 'Mark', when: (v) => v.mark !== false, run: async (ctx, v) => { await ctx.exec('touch ' + v.room_dir + '/' + ctx.hostname + '.marked'); return { changed: true }; } },
] };
`;

const INVENTORY = `all:
  vars: { room_gb: 0 }
  hosts:
    alpha: { ansible_connection: local, site_name: a }
    beta: { ansible_connection: local }
  children:
    small: { hosts: { alpha: null } }
`;

// what a role's earlier task publishes for a later role: required there, but nobody gives it before the run
const PUBLISHER = `export default { name: 'publisher', vars: { safeParse: (v) => ({ success: true, data: v }) }, tasks: [
  { name: 'Measure', invalidates: [], run: async () => ({ changed: false, ansible_facts: { measured: 'fine' } }) },
] };
`;
const CONSUMER = `import { z } from '${zodUrl}';
const vars = z.object({ measured: z.string().describe('set by the publisher role: what it measured') });
export default { name: 'consumer', vars, tasks: [{ name: 'Use', invalidates: [], run: async (_ctx, v) => ({ changed: false, msg: v.measured }) }] };
`;

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
  await ws.write('roles/checked/index.mjs', CHECKED_ROLE);
  await ws.write('roles/publisher/index.mjs', PUBLISHER);
  await ws.write('roles/consumer/index.mjs', CONSUMER);
  await ws.write('inventory.yml', INVENTORY);
  await ws.write('out/.keep', '');
});
afterEach(() => ws.cleanup());

const site = (plays: string) => ws.write('site.yml', plays);
const checkResults = (events: Awaited<ReturnType<Workspace['run']>>['events']) =>
  results(events).map((r) => `${r.host} ${r.task} ${r.status}: ${String(r.result.msg)}`);

describe('the check before the first change', () => {
  it('lists every problem of every host and play together, fails them, and changes nothing', async () => {
    await site(`- hosts: all
  gather_facts: false
  tasks:
    - copy: { dest: "{{ playbook_dir }}/out/{{ inventory_hostname }}.first", content: x }
- hosts: small
  gather_facts: false
  roles:
    - role: checked
      vars: { room_dir: "{{ playbook_dir }}/out", room_gb: 1000000000 }
- hosts: all
  gather_facts: false
  roles:
    - role: checked
      vars: { room_dir: "{{ playbook_dir }}/out" }
`);
    const res = await ws.run('site.yml');
    expect(res.code).toBe(2);
    const plays = res.events.filter((e) => e.type === 'play_start').map((e) => (e.type === 'play_start' ? e.name : ''));
    expect(plays).toEqual(['Check before changing anything']);
    expect(checkResults(res.events)).toEqual([
      expect.stringMatching(/^alpha checked : Room to work failed: only \d+ GB free in .*\/out$/),
      "beta checked : variables failed: role 'checked': variable 'site_name': is required (a string) and missing",
    ]);
    expect(existsSync(join(ws.dir, 'out', 'alpha.first'))).toBe(false);
    expect(res.stats).toMatchObject({ alpha: { failed: 1, changed: 0 }, beta: { failed: 1, changed: 0 } });
    expect(res.retryFile).toBeDefined();
  });

  it('a variable an earlier role sets during the run (described "set by …") is not asked for before it', async () => {
    await site(`- hosts: alpha
  gather_facts: false
  roles: [publisher, consumer]
`);
    const res = await ws.run('site.yml');
    expect(res.code, JSON.stringify(res.events)).toBe(0);
    expect(checkResults(res.events)).toContain('alpha consumer : Use ok: fine');
  });

  it('check mode stops the same way', async () => {
    await site(`- hosts: all
  gather_facts: false
  roles:
    - role: checked
      vars: { room_dir: "{{ playbook_dir }}/out" }
`);
    const res = await ws.run('site.yml', { check: true });
    expect(res.code).toBe(2);
    expect(checkResults(res.events)).toEqual(["beta checked : variables failed: role 'checked': variable 'site_name': is required (a string) and missing"]);
  });

  it("a role whose reference's condition is false on a host, or that --skip-tags leaves out, is not checked there", async () => {
    await site(`- hosts: all
  gather_facts: false
  roles:
    - role: checked
      when: "'small' in group_names"
      vars: { room_dir: "{{ playbook_dir }}/out" }
`);
    const res = await ws.run('site.yml');
    expect(res.code, JSON.stringify(res.events)).toBe(0);
    expect(existsSync(join(ws.dir, 'out', 'alpha.marked'))).toBe(true);
    expect(existsSync(join(ws.dir, 'out', 'beta.marked'))).toBe(false);
    await site(`- hosts: all
  gather_facts: false
  roles:
    - role: checked
      vars: { room_dir: "{{ playbook_dir }}/out" }
`);
    expect((await ws.run('site.yml', { tags: { only: [], skip: ['checked'] } })).code).toBe(0);
  });

  it("reads the checks' facts with the first play's in one command per host; the play reads none again", async () => {
    await ws.write('inventory.yml', INVENTORY.replace('beta: { ansible_connection: local }', 'beta: { ansible_connection: local, site_name: b }'));
    await site(`- hosts: all
  gather_facts: false
  pre_tasks:
    - file: { path: "{{ playbook_dir }}/out/{{ inventory_hostname }}", state: directory }
  roles:
    - role: checked
      vars: { room_dir: "{{ playbook_dir }}/out/{{ inventory_hostname }}", mark: false }
`);
    await ws.run('site.yml');
    const counter: Counter = {};
    const res = await ws.run('site.yml', { connect: counting(counter, async () => localTransport()) });
    expect(res.code).toBe(0);
    expect(res.stats.alpha).toMatchObject({ changed: 0 });
    expect(counter).toEqual({ alpha: { execs: 1, puts: 0, gets: 0 }, beta: { execs: 1, puts: 0, gets: 0 } });
  });

  it('an unreachable host alone is left out, as Ansible does: the others go on, exit 4', async () => {
    await ws.write(
      'inventory.yml',
      `all:
  hosts:
    alpha: { ansible_connection: local }
    far: { ansible_connection: ssh, ansible_host: 127.0.0.1, ansible_port: 1, ansible_user: nobody }
`,
    );
    await site(`- hosts: all
  gather_facts: false
  tasks:
    - copy: { dest: "{{ playbook_dir }}/out/{{ inventory_hostname }}.first", content: x }
`);
    const res = await ws.run('site.yml');
    expect(res.code).toBe(4);
    expect(res.stats.far).toMatchObject({ unreachable: 1 });
    expect(existsSync(join(ws.dir, 'out', 'alpha.first'))).toBe(true);
  });
});
