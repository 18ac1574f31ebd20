import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_INVENTORY, results, workspace, type Workspace } from './helpers.js';

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
  await ws.write('inventory.yml', LOCAL_INVENTORY);
});
afterEach(() => ws.cleanup());

const role = async (name: string, meta: string | undefined, msg = `${name} {{ who | default('') }}`) => {
  await ws.write(`roles/${name}/tasks/main.yml`, `- name: say\n  debug: { msg: "${msg}" }\n`);
  if (meta !== undefined) await ws.write(`roles/${name}/meta/main.yml`, meta);
};

const said = (events: Awaited<ReturnType<Workspace['run']>>['events']) =>
  results(events)
    .filter((e) => e.host === 'alpha' && e.status !== 'skipped')
    .map((e) => String(e.result.msg).trim());

describe('role meta/main.yml', () => {
  it('runs dependencies first, once per play for the same params, again when meta allows duplicates', async () => {
    await role('common', '---\ngalaxy_info: { author: ops }\n');
    await role('twice', 'allow_duplicates: yes\n');
    await role('web', 'dependencies:\n  - common\n  - twice\n  - { role: common, who: web }\n');
    await role('db', 'dependencies: [common, twice]\n');
    await ws.write('site.yml', '- hosts: alpha\n  gather_facts: no\n  roles: [web, db]\n');
    const run = await ws.run('site.yml');
    expect(run.code).toBe(0);
    expect(said(run.events)).toEqual(['common', 'twice', 'common web', 'web', 'twice', 'db']);
  });

  it("gives a reference's conditions and tags to its dependencies", async () => {
    await role('common', undefined);
    await role('web', 'dependencies: [common]\n');
    await ws.write('site.yml', '- hosts: alpha\n  gather_facts: false\n  roles:\n    - { role: web, when: false }\n');
    expect(said((await ws.run('site.yml')).events)).toEqual([]);
    await ws.write('tagged.yml', '- hosts: alpha\n  gather_facts: false\n  roles:\n    - { role: web, tags: [site] }\n');
    expect(said((await ws.run('tagged.yml', { tags: { only: ['site'], skip: [] } })).events)).toEqual(['common', 'web']);
  });

  it('refuses a dependency loop and a bad meta at their lines', async () => {
    await role('a', 'dependencies: [b]\n');
    await role('b', '# b needs a\ndependencies:\n  - a\n');
    await ws.write('site.yml', '- hosts: alpha\n  roles: [a]\n');
    await expect(ws.run('site.yml')).rejects.toThrow(/roles\/b\/meta\/main\.yml:3:5: dependencies\[0\]: role dependency loop: a → b → a/);
    await role('c', 'allow_duplicates: sometimes\n');
    await ws.write('c.yml', '- hosts: alpha\n  roles: [c]\n');
    await expect(ws.run('c.yml')).rejects.toThrow(/roles\/c\/meta\/main\.yml:1:19: allow_duplicates: "sometimes" is not a boolean/);
  });
});
