import { execFile } from 'node:child_process';
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { modeArg } from '../../lib/modules/arg-types.js';
import { fileModule } from '../../lib/modules/builtin/file.js';
import { applySymbolicMode, isSymbolicMode } from '../../lib/modules/symbolic-mode.js';
import { makeTempDir, removeDir, runModule } from './helpers.js';

const run = promisify(execFile);

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(() => removeDir(dir));

const modeOf = async (p: string) => (await stat(p)).mode & 0o7777;

// what chmod(1) makes of a symbolic mode, on a real path, under the umask nop assumes
const chmodSays = async (path: string, start: number, symbolic: string): Promise<number> => {
  await chmod(path, start);
  await run('sh', ['-c', 'umask 022 && chmod -- "$0" "$1"', symbolic, path]);
  return modeOf(path);
};

const CASES: [number, string][] = [
  [0o644, 'u=rw,g=r,o='],
  [0o644, 'u+x'],
  [0o755, 'a-w'],
  [0o640, 'g=u'],
  [0o600, 'go=u-w'],
  [0o644, 'u=rwx,g=rx,o=rx'],
  [0o700, 'o+X'],
  [0o600, 'o+X'],
  [0o644, 'u+s,g+s,o+t'],
  [0o4755, 'u-s'],
  [0o777, 'o='],
  [0o644, '+x'],
  [0o666, '-w'],
  [0o640, 'u=rw,g-r+w,o+r'],
];

describe('symbolic modes', () => {
  it('computes what chmod(1) does, for files and directories', async () => {
    const file = join(dir, 'f');
    const sub = join(dir, 'd');
    await writeFile(file, '');
    await mkdir(sub);
    for (const [start, symbolic] of CASES) {
      expect(isSymbolicMode(symbolic)).toBe(true);
      expect(applySymbolicMode(symbolic, start, false).toString(8), `${start.toString(8)} ${symbolic} (file)`).toBe(
        (await chmodSays(file, start, symbolic)).toString(8),
      );
      expect(applySymbolicMode(symbolic, start, true).toString(8), `${start.toString(8)} ${symbolic} (dir)`).toBe(
        (await chmodSays(sub, start, symbolic)).toString(8),
      );
    }
  });

  it('refuses what is neither octal nor symbolic', () => {
    for (const bad of ['u=rw,q=r', 'rw', 'u=rw;', '0999', '12345', '', 'u=rw,', '-1']) expect(modeArg.safeParse(bad).success, bad).toBe(false);
    // chmod takes an empty permission list (a no-op), so does Ansible
    expect(modeArg.parse('u+')).toBe('u+');
    expect(modeArg.safeParse(0o10000).success).toBe(false);
    expect(modeArg.parse('0644')).toBe(0o644);
    expect(modeArg.parse('644')).toBe(0o644);
    expect(modeArg.parse('0o2750')).toBe(0o2750);
    expect(modeArg.parse(420)).toBe(0o644);
  });

  it('applies a symbolic mode with the file module, then reports no change', async () => {
    const path = join(dir, 'run.sh');
    await writeFile(path, '#!/bin/sh\n', { mode: 0o644 });
    const first = await runModule(fileModule, { path, mode: 'u+x,g=r,o=' });
    expect(first).toMatchObject({ changed: true, mode: '0740' });
    expect(first.diff?.[0]).toMatchObject({ before: 'state: file\nmode: 0644\n', after: 'state: file\nmode: 0740\n' });
    expect(await modeOf(path)).toBe(0o740);
    expect((await runModule(fileModule, { path, mode: 'u+x,g=r,o=' })).changed).toBe(false);
    const fresh = join(dir, 'new');
    expect(await runModule(fileModule, { path: fresh, state: 'directory', mode: 'u=rwx,g=rx,o=' })).toMatchObject({ changed: true, mode: '0750' });
    expect(await modeOf(fresh)).toBe(0o750);
  });
});
