import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadPlaybook } from '../../lib/runner/load-playbook.js';
import { LOCAL_INVENTORY, results, workspace, type Workspace } from './helpers.js';

// the single-host behaviour of each meta action is compared with Ansible in test/conformance/cases/task-forms;
// these are what one host cannot show: end_play acts on every host and the later batches
let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
  await ws.write('inventory.yml', LOCAL_INVENTORY);
});
afterEach(() => ws.cleanup());

const shown = (events: Parameters<typeof results>[0]) => results(events).map((e) => `${e.host} ${e.task} ${e.status}`);

describe('meta tasks', () => {
  it('end_play stops every host and the later batches; the next play runs', async () => {
    await ws.write(
      'site.yml',
      `- hosts: all
  gather_facts: false
  serial: 1
  tasks:
    - name: first
      debug: { msg: one }
    - name: ends
      meta: end_play
      when: inventory_hostname == 'alpha'
    - name: after
      debug: { msg: two }
- hosts: all
  gather_facts: false
  tasks:
    - name: next play
      debug: { msg: three }
`,
    );
    const run = await ws.run('site.yml');
    expect(run.code).toBe(0);
    expect(shown(run.events).sort()).toEqual(['alpha first ok', 'alpha next play ok', 'beta next play ok']);
  });

  it('end_host ends one host without failing it; its notified handlers do not run', async () => {
    await ws.write(
      'site.yml',
      `- hosts: all
  gather_facts: false
  tasks:
    - name: notify
      command: /bin/true
      notify: h
    - name: ends
      meta: end_host
      when: inventory_hostname == 'alpha'
    - name: after
      debug: { msg: two }
  handlers:
    - name: h
      debug: { msg: handled }
`,
    );
    const run = await ws.run('site.yml');
    expect(run.code).toBe(0);
    expect(shown(run.events).sort()).toEqual(['alpha notify changed', 'beta after ok', 'beta h ok', 'beta notify changed', 'beta ends skipped'].sort());
    expect(run.stats.alpha).toMatchObject({ ok: 1, changed: 1, failed: 0, skipped: 0 });
    expect(run.stats.beta).toMatchObject({ ok: 3, changed: 1, failed: 0, skipped: 0 });
  });

  it("clear_facts forgets the host's gathered facts and keeps set_fact's", async () => {
    await ws.write(
      'site.yml',
      `- hosts: alpha
  gather_facts: true
  tasks:
    - set_fact: { mine: kept }
    - name: before
      debug: { msg: "{{ ansible_kernel is defined }} {{ ansible_facts.kernel is defined }}" }
    - name: clear
      meta: clear_facts
    - name: after
      debug: { msg: "{{ ansible_kernel is defined }} {{ ansible_facts.kernel is defined }} {{ mine }}" }
`,
    );
    const run = await ws.run('site.yml');
    expect(
      results(run.events)
        .map((e) => e.result.msg)
        .filter(Boolean),
    ).toEqual(['True True', 'False False kept']);
  });

  it('refuses what it cannot honour at load, with the line', async () => {
    const errorOf = async (task: string) => {
      const file = await ws.write('bad.yml', `- hosts: all\n  tasks:\n${task}`);
      return loadPlaybook(file).then(
        () => 'loaded',
        (e: Error) => e.message.replace(`${ws.dir}/`, ''),
      );
    };
    expect(await errorOf('    - meta: end_batch\n')).toMatch(/bad\.yml:3:\d+: .*meta 'end_batch' is not supported/);
    expect(await errorOf('    - meta: flush_handler\n')).toMatch(/unknown meta action 'flush_handler'/);
    expect(await errorOf('    - meta: flush_handlers\n      when: x\n')).toMatch(/bad\.yml:4:\d+: .*flush_handlers does not support 'when'/);
    expect(await errorOf('    - local_action: command true\n      delegate_to: web\n')).toMatch(/local_action runs on the controller/);
    expect(await errorOf('    - local_action: comand true\n')).toMatch(/'comand' is not a module/);
  });
});
