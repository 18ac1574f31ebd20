import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { replaceModule } from '../../lib/modules/builtin/replace.js';
import { slurpModule } from '../../lib/modules/builtin/slurp.js';
import { makeTempDir, removeDir, runModule, snapshotDir } from './helpers.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await makeTempDir();
  path = join(dir, 'conf');
});
afterEach(() => removeDir(dir));

describe('replace', () => {
  it('replaces every match (multiline), expanding numbered and named groups; a second run changes nothing', async () => {
    await writeFile(path, 'port 80\nport 81\nhost a\n');
    const args = { path, regexp: '^port (?P<n>\\d+)$', replace: 'listen \\g<n> # was \\1' };
    expect(await runModule(replaceModule, args)).toMatchObject({ changed: true, msg: '2 replacements made', rc: 0 });
    expect(await readFile(path, 'utf8')).toBe('listen 80 # was 80\nlisten 81 # was 81\nhost a\n');
    const before = await snapshotDir(dir);
    expect(await runModule(replaceModule, args)).toMatchObject({ changed: false, msg: '' });
    expect(await snapshotDir(dir)).toEqual(before);
  });

  it('limits itself to the part after/before select, and says when they match nothing', async () => {
    await writeFile(path, 'x=1\n[main]\nx=1\n[other]\nx=1\n');
    expect(await runModule(replaceModule, { dest: path, after: '\\[main\\]', before: '\\[other\\]', regexp: '^x=1$', replace: 'x=2' })).toMatchObject({
      changed: true,
      msg: '1 replacements made',
    });
    expect(await readFile(path, 'utf8')).toBe('x=1\n[main]\nx=2\n[other]\nx=1\n');
    expect(await runModule(replaceModule, { path, after: 'nowhere', regexp: 'x', replace: 'y' })).toMatchObject({
      changed: false,
      msg: 'Pattern for before/after params did not match the given file: nowhere(?P<subsection>.*)',
    });
  });

  it('fails on a missing path or a directory, as Ansible does', async () => {
    expect(await runModule(replaceModule, { path, regexp: 'x' })).toMatchObject({ failed: true, rc: 257, msg: `Path ${path} does not exist !` });
    expect(await runModule(replaceModule, { path: dir, regexp: 'x' })).toMatchObject({ failed: true, rc: 256, msg: `Path ${dir} is a directory !` });
  });
});

describe('slurp', () => {
  it('returns the content base64-encoded, or fails naming why', async () => {
    await writeFile(path, 'secret\n');
    expect(await runModule(slurpModule, { src: path })).toEqual({
      changed: false,
      content: Buffer.from('secret\n').toString('base64'),
      source: path,
      encoding: 'base64',
    });
    expect(await runModule(slurpModule, { path: join(dir, 'none') })).toMatchObject({ failed: true, msg: `file not found: ${join(dir, 'none')}` });
    expect(await runModule(slurpModule, { src: dir })).toMatchObject({ failed: true, msg: `source is a directory and must be a file: ${dir}` });
  });
});
