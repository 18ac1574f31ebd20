import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commandModule } from '../../lib/modules/builtin/command.js';
import { shellModule } from '../../lib/modules/builtin/shell.js';
import { shellSplit } from '../../lib/modules/shell-split.js';
import { LOCAL_INVENTORY, results, workspace } from '../runner/helpers.js';
import { makeTempDir, removeDir, runModule, snapshotDir } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(() => removeDir(dir));

describe('shellSplit', () => {
  it('splits like a POSIX shell without expanding', () => {
    expect(shellSplit(`echo 'a b' "c \\"d\\"" e\\ f $HOME |`)).toEqual(['echo', 'a b', 'c "d"', 'e f', '$HOME', '|']);
    expect(() => shellSplit(`echo 'open`)).toThrow(/unterminated/);
  });
});

describe('command', () => {
  it('runs argv without a shell and returns Ansible values', async () => {
    const res = await runModule(commandModule, { cmd: 'printf "%s|%s\\n" one "$HOME"' });
    expect(res).toMatchObject({ changed: true, rc: 0, stdout: 'one|$HOME', stdout_lines: ['one|$HOME'], stderr: '' });
    expect(res.cmd).toEqual(['printf', '%s|%s\\n', 'one', '$HOME']);
  });

  it('fails on a non-zero rc, keeping the output', async () => {
    const res = await runModule(commandModule, { argv: ['sh', '-c', 'echo oops >&2; exit 3'] });
    expect(res).toMatchObject({ failed: true, rc: 3, stderr: 'oops', msg: 'non-zero return code' });
  });

  it('is idempotent through creates, relative to chdir', async () => {
    const args = { cmd: 'touch done', chdir: dir, creates: 'done' };
    expect((await runModule(commandModule, args)).changed).toBe(true);
    const second = await runModule(commandModule, args);
    expect(second).toMatchObject({ changed: false, rc: 0, stdout: 'skipped, since done exists', msg: "Did not run command since 'done' exists" });
  });

  it('matches creates and removes as globs, as Ansible does (a space in a name is no separator)', async () => {
    const args = { cmd: 'touch "app 1.tar"', chdir: dir, creates: join(dir, 'app *.tar') };
    expect(await runModule(commandModule, args)).toMatchObject({ changed: true });
    expect(await runModule(commandModule, args)).toMatchObject({ changed: false, msg: `Did not run command since '${join(dir, 'app *.tar')}' exists` });
    expect(await runModule(commandModule, { cmd: 'true', removes: join(dir, 'none-*') })).toMatchObject({
      changed: false,
      stdout: `skipped, since ${join(dir, 'none-*')} does not exist`,
    });
    expect(await runModule(commandModule, { cmd: 'true', removes: join(dir, '*.t?r') })).toMatchObject({ changed: true });
  });

  it('runs only while removes exists', async () => {
    await writeFile(join(dir, 'lock'), '');
    const args = { argv: ['rm', join(dir, 'lock')], removes: join(dir, 'lock') };
    expect((await runModule(commandModule, args)).changed).toBe(true);
    expect(await runModule(commandModule, args)).toMatchObject({
      changed: false,
      rc: 0,
      stdout: `skipped, since ${join(dir, 'lock')} does not exist`,
      msg: `Did not run command since '${join(dir, 'lock')}' does not exist`,
    });
    expect(await runModule(commandModule, args, { check: true })).toMatchObject({ msg: `Would not run command since '${join(dir, 'lock')}' does not exist` });
  });

  it('passes stdin with a trailing newline', async () => {
    expect((await runModule(commandModule, { cmd: 'cat', stdin: 'secret' })).stdout).toBe('secret');
    expect(String((await runModule(commandModule, { cmd: 'wc -c', stdin: 'abc', stdin_add_newline: false })).stdout).trim()).toBe('3');
  });

  it('check mode: skipped without creates/removes, changed when they would let it run; nothing runs', async () => {
    const before = await snapshotDir(dir);
    const plain = await runModule(commandModule, { cmd: `touch ${join(dir, 'x')}` }, { check: true });
    // a registered result reads as Ansible's: rc 0 and empty output
    expect(plain).toMatchObject({ skipped: true, changed: false, rc: 0, stdout: '', stdout_lines: [], msg: 'Command would have run if not in check mode' });
    const decided = await runModule(commandModule, { cmd: `touch ${join(dir, 'x')}`, creates: join(dir, 'x') }, { check: true });
    expect(decided).toMatchObject({ changed: true, msg: 'Command would have run if not in check mode' });
    expect(await snapshotDir(dir)).toEqual(before);
  });

  it('needs cmd or argv', () => {
    expect(() => commandModule.args.parse({ chdir: '/' })).toThrow(/exactly one/);
    expect(commandModule.freeForm).toBe('cmd');
  });
});

describe('shell', () => {
  it('runs through sh with pipes and the task environment', async () => {
    const res = await runModule(shellModule, { cmd: 'echo "$GREETING" | tr a-z A-Z; echo second' }, { env: { GREETING: 'hello' } });
    expect(res).toMatchObject({
      changed: true,
      rc: 0,
      stdout: 'HELLO\nsecond',
      stdout_lines: ['HELLO', 'second'],
      cmd: 'echo "$GREETING" | tr a-z A-Z; echo second',
    });
  });

  it('uses another executable when asked', async () => {
    const res = await runModule(shellModule, { cmd: 'set -o pipefail; false | true', executable: '/bin/bash' });
    expect(res).toMatchObject({ failed: true, rc: 1 });
  });

  it('creates makes it idempotent; check mode runs nothing', async () => {
    const marker = join(dir, 'm');
    const before = await snapshotDir(dir);
    expect((await runModule(shellModule, { cmd: `echo x > ${marker}`, creates: marker }, { check: true })).changed).toBe(true);
    expect(await snapshotDir(dir)).toEqual(before);
    expect((await runModule(shellModule, { cmd: `echo x > ${marker}`, creates: marker })).changed).toBe(true);
    expect((await runModule(shellModule, { cmd: `echo x > ${marker}`, creates: marker })).changed).toBe(false);
  });
});

describe('a glob guard in a run', () => {
  it('is read again after a task makes a path it matches (the fact read ahead is stale)', async () => {
    const ws = await workspace();
    try {
      await ws.write('inventory.yml', LOCAL_INVENTORY);
      const out = join(ws.dir, 'out');
      await ws.write(
        'site.yml',
        `- hosts: alpha\n  gather_facts: false\n  tasks:\n    - file: { path: "${out}", state: directory }\n    - command: { cmd: "true", creates: "${out}/a-*" }\n    - file: { path: "${out}/a-1", state: touch }\n    - command: { cmd: "true", creates: "${out}/a-*" }\n`,
      );
      const run = await ws.run('site.yml');
      expect(results(run.events).map((e) => e.status)).toEqual(['changed', 'changed', 'changed', 'ok']);
    } finally {
      await ws.cleanup();
    }
  });
});
