import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { editBlock } from '../../lib/modules/builtin/blockinfile-edit.js';
import { blockinfileModule } from '../../lib/modules/builtin/blockinfile.js';
import { makeTempDir, removeDir, runModule, snapshotDir } from './helpers.js';

const opts = { present: true, marker: '# {mark} ANSIBLE MANAGED BLOCK', markerBegin: 'BEGIN', markerEnd: 'END' };
const BEGIN = '# BEGIN ANSIBLE MANAGED BLOCK\n';
const END = '# END ANSIBLE MANAGED BLOCK\n';

describe('blockinfile edits (Ansible semantics)', () => {
  it('appends a marked block at EOF, fixing a missing final newline', () => {
    expect(editBlock('a\nb', { ...opts, block: 'x=1' })).toBe(`a\nb\n${BEGIN}x=1\n${END}`);
    expect(editBlock(null, { ...opts, block: 'x=1\ny=2\n' })).toBe(`${BEGIN}x=1\ny=2\n${END}`);
  });

  it('replaces the block between its markers in place, and removes it', () => {
    const text = `top\n${BEGIN}old\n${END}bottom\n`;
    expect(editBlock(text, { ...opts, block: 'new' })).toBe(`top\n${BEGIN}new\n${END}bottom\n`);
    expect(editBlock(text, { ...opts, block: '' })).toBe('top\nbottom\n');
    expect(editBlock(text, { ...opts, present: false, block: 'ignored' })).toBe('top\nbottom\n');
  });

  it('inserts after the last line insertafter matches, before the last insertbefore matches, or at BOF', () => {
    expect(editBlock('[a]\nk=1\n[a]\n', { ...opts, block: 'n', insertafter: '^\\[a\\]' })).toBe(`[a]\nk=1\n[a]\n${BEGIN}n\n${END}`);
    expect(editBlock('x\n[b]\ny\n', { ...opts, block: 'n', insertbefore: '^\\[b\\]' })).toBe(`x\n${BEGIN}n\n${END}[b]\ny\n`);
    expect(editBlock('x\n', { ...opts, block: 'n', insertbefore: 'BOF' })).toBe(`${BEGIN}n\n${END}x\n`);
    expect(editBlock('x\n', { ...opts, block: 'n', insertafter: 'nomatch' })).toBe(`x\n${BEGIN}n\n${END}`);
  });

  it('uses custom markers', () => {
    expect(editBlock('', { ...opts, marker: '<!-- {mark} -->', markerBegin: 'start', markerEnd: 'stop', block: 'b' })).toBe(
      '<!-- start -->\nb\n<!-- stop -->\n',
    );
  });
});

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(() => removeDir(dir));

describe('blockinfile', () => {
  it("inserts once, reports Ansible's messages, and a second run writes nothing", async () => {
    const path = join(dir, 'hosts');
    await writeFile(path, '127.0.0.1 localhost\n');
    const args = { path, block: '10.0.0.1 node1\n10.0.0.2 node2' };
    expect(await runModule(blockinfileModule, args)).toMatchObject({ changed: true, msg: 'Block inserted' });
    expect(await readFile(path, 'utf8')).toBe(`127.0.0.1 localhost\n${BEGIN}10.0.0.1 node1\n10.0.0.2 node2\n${END}`);
    const before = await snapshotDir(dir);
    expect(await runModule(blockinfileModule, args)).toMatchObject({ changed: false, msg: '' });
    expect(await snapshotDir(dir)).toEqual(before);
    expect(await runModule(blockinfileModule, { dest: path, state: 'absent' })).toMatchObject({ changed: true, msg: 'Block removed' });
    expect(await readFile(path, 'utf8')).toBe('127.0.0.1 localhost\n');
  });

  it('creates the file and its directory with create=true, with the mode asked; check mode writes nothing', async () => {
    const path = join(dir, 'sub', 'conf');
    const args = { path, create: true, content: 'a=1', mode: '0600' };
    expect(await runModule(blockinfileModule, { path, content: 'a=1' })).toMatchObject({ failed: true, msg: `Path ${path} does not exist !` });
    expect(await runModule(blockinfileModule, args, { check: true })).toMatchObject({ changed: true });
    expect(await readdir(dir)).toEqual([]);
    expect(await runModule(blockinfileModule, args)).toMatchObject({ changed: true, msg: 'File created and ownership, perms or SE linux context changed' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await runModule(blockinfileModule, { path, state: 'absent', marker: '## {mark}' })).toMatchObject({ changed: false });
  });

  it('leaves the file as it was when validate refuses the new content', async () => {
    const path = join(dir, 'conf');
    await writeFile(path, 'keep\n');
    const refused = await runModule(blockinfileModule, { path, block: 'bad', validate: 'grep -q never %s' });
    expect(refused).toMatchObject({ failed: true, msg: 'failed to validate: rc:1 error:' });
    expect(await readFile(path, 'utf8')).toBe('keep\n');
    expect(await readdir(dir)).toEqual(['conf']);
    expect(await runModule(blockinfileModule, { path, block: 'good', validate: 'grep -q good %s' })).toMatchObject({ changed: true });
    expect(await readFile(path, 'utf8')).toBe(`keep\n${BEGIN}good\n${END}`);
  });
});
