import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileModule } from '../../lib/modules/builtin/file.js';
import { lineinfileModule } from '../../lib/modules/builtin/lineinfile.js';
import { loadPlaybook } from '../../lib/runner/load-playbook.js';
import { workspace, type Workspace } from '../runner/helpers.js';
import { makeTempDir, removeDir, runModule } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(() => removeDir(dir));

describe("Ansible's argument aliases", () => {
  it('fold into the canonical argument: file dest/name are path, lineinfile regex/value are regexp/line', async () => {
    const made = await runModule(fileModule, { dest: join(dir, 'a'), state: 'directory' });
    expect(made).toMatchObject({ changed: true, path: join(dir, 'a'), state: 'directory' });
    expect(await runModule(fileModule, { name: join(dir, 'a'), state: 'directory' })).toMatchObject({ changed: false });
    const edited = await runModule(lineinfileModule, { destfile: join(dir, 'conf'), regex: '^x=', value: 'x=1', create: true });
    expect(edited.changed).toBe(true);
    expect(await readFile(join(dir, 'conf'), 'utf8')).toBe('x=1\n');
  });

  it('refuse two names for one argument in one task', async () => {
    const res = await runModule(fileModule, { path: join(dir, 'a'), dest: join(dir, 'b'), state: 'directory' });
    expect(res).toMatchObject({ failed: true, msg: "module 'file': 'dest' and 'path' are the same argument ('path'): give one" });
  });
});

describe('aliases at validation', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await workspace();
  });
  afterEach(() => ws.cleanup());

  const errorOf = async (yaml: string): Promise<string> => {
    const file = await ws.write('bad.yml', yaml);
    return loadPlaybook(file).then(
      () => 'accepted',
      (e: Error) => e.message.replace(`${ws.dir}/`, ''),
    );
  };

  it('points at the alias the task wrote', async () => {
    expect(await errorOf('- hosts: all\n  tasks:\n    - file: { dest: /tmp/x, state: directory }\n')).toBe('accepted');
    expect(await errorOf('- hosts: all\n  tasks:\n    - file:\n        dest: [1]\n')).toMatch(/^bad\.yml:4:\d+: \[0\]\.tasks\[0\]\.file\.dest: /);
    expect(await errorOf('- hosts: all\n  tasks:\n    - file:\n        path: /a\n        name: /b\n')).toMatch(
      /^bad\.yml:5:\d+: .*'name' and 'path' are the same argument/,
    );
  });
});
