import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_INVENTORY, results, type Workspace, workspace } from '../runner/helpers.js';

// systemd-escaped unit names (mnt-data\x2ddisk.mount) are common; a newline is legal in a name too. sha256sum
// escapes such names and prefixes its line with '\': a probe that trusts that line never sees them converge.
let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
  await ws.write('inventory.yml', LOCAL_INVENTORY);
});
afterEach(() => ws.cleanup());

const NAMES = ['mnt-data\\x2ddisk.mount', 'two\nlines.conf', "quote's & $dollar"];

describe('paths with a backslash, a newline or shell characters', () => {
  it('converge: the second run changes nothing and notifies no handler', async () => {
    const tasks = NAMES.map(
      (name, i) => `    - copy: { dest: "{{ playbook_dir }}/out/{{ inventory_hostname }}/${JSON.stringify(name).slice(1, -1)}", content: "v${i}\\n" }
      notify: reload`,
    ).join('\n');
    await ws.write(
      'site.yml',
      `- hosts: alpha\n  gather_facts: false\n  tasks:\n    - file: { path: "{{ playbook_dir }}/out/{{ inventory_hostname }}", state: directory }\n${tasks}\n  handlers:\n    - name: reload\n      command: "true"\n`,
    );
    const first = await ws.run('site.yml');
    expect(first.stats.alpha).toMatchObject({ changed: 5, failed: 0 });
    for (const [i, name] of NAMES.entries()) expect(await readFile(join(ws.dir, 'out', 'alpha', name), 'utf8')).toBe(`v${i}\n`);
    const second = await ws.run('site.yml');
    expect(second.stats.alpha, JSON.stringify(results(second.events).filter((r) => r.status === 'changed'))).toMatchObject({ changed: 0, failed: 0 });
    expect(results(second.events).some((r) => r.task === 'reload')).toBe(false);
  });
});
