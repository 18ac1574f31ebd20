import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_INVENTORY, results, workspace, type Workspace } from './helpers.js';

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
  await ws.write('inventory.yml', LOCAL_INVENTORY);
});
afterEach(() => ws.cleanup());

describe('loops', () => {
  it('runs every with_* form and loop_control as ansible-playbook does', async () => {
    await ws.write('files/a.conf', '');
    await ws.write('files/b.conf', '');
    await ws.write(
      'site.yml',
      `- hosts: alpha
  gather_facts: false
  vars:
    users: [ { name: ann, keys: [k1, k2] }, { name: bob, keys: [k3] } ]
    d: { x: 1, y: 2 }
  tasks:
    - debug: { msg: "{{ item }}" }
      with_items: [[a, b], c]
    - debug: { msg: "{{ item }}" }
      with_list: [[a, b], c]
    - debug: { msg: "{{ item.key }}={{ item.value }}" }
      with_dict: "{{ d }}"
    - debug: { msg: "{{ item }}" }
      with_sequence: start=1 end=5 stride=2 format=web%02d
    - debug: { msg: "{{ item }}" }
      with_sequence: count=2
    - debug: { msg: "{{ item.0 }}-{{ item.1 }}" }
      with_together: [[a, b, c], [1, 2]]
    - debug: { msg: "{{ item.0.name }}:{{ item.1 }}" }
      with_subelements: ["{{ users }}", keys]
    - debug: { msg: "{{ item[0] }}{{ item[1] }}" }
      with_nested: [[x, y], [1, 2]]
    - debug: { msg: "{{ item | basename }}" }
      with_fileglob: ["*.conf"]
    - debug: { msg: "{{ i }} {{ who }} {{ ansible_loop.revindex }} {{ ansible_loop.first }} {{ ansible_loop.previtem | default('-') }}" }
      loop: [p, q, r]
      loop_control: { loop_var: who, index_var: i, extended: true, label: "{{ who }}" }
`,
    );
    const run = await ws.run('site.yml');
    expect(
      results(run.events)
        .filter((e) => e.status === 'failed')
        .map((e) => e.result.msg),
    ).toEqual([]);
    expect(run.code).toBe(0);
    const said = results(run.events)
      .filter((e) => e.item !== undefined)
      .map((e) => e.result.msg);
    // recorded with ansible-core 2.14 (the same playbook; its fileglob order is the directory's, nop's is sorted)
    expect(said).toEqual(
      [
        ['a', 'b', 'c'],
        [['a', 'b'], 'c'],
        ['x=1', 'y=2'],
        ['web01', 'web03', 'web05'],
        ['1', '2'],
        ['a-1', 'b-2', 'c-'],
        ['ann:k1', 'ann:k2', 'bob:k3'],
        ['x1', 'x2', 'y1', 'y2'],
        ['a.conf', 'b.conf'],
        ['0 p 3 True -', '1 q 2 False p', '2 r 1 False q'],
      ].flat(1),
    );
    expect(
      results(run.events)
        .filter((e) => e.item !== undefined)
        .at(-1)?.item,
    ).toBe('r');
  });
});
