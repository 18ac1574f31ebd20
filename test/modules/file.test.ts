import { lstat, readlink, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileModule } from '../../lib/modules/builtin/file.js';
import { programCounter } from '../helpers/program-counter.js';
import { makeTempDir, removeDir, runModule, snapshotDir } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(() => removeDir(dir));

const modeOf = async (p: string) => ((await lstat(p)).mode & 0o7777).toString(8);

describe('file', () => {
  it('creates a directory with a mode, then reports no change', async () => {
    const path = join(dir, 'a/b');
    const first = await runModule(fileModule, { path, state: 'directory', mode: '0750' });
    expect(first).toMatchObject({ changed: true, path, state: 'directory', mode: '0750' });
    expect((await lstat(path)).isDirectory()).toBe(true);
    expect(await modeOf(path)).toBe('750');
    expect(first.diff?.[0]).toMatchObject({ path, before: 'state: absent\n', after: 'state: directory\nmode: 0750\n' });
    const second = await runModule(fileModule, { path, state: 'directory', mode: '0750' });
    expect(second.changed).toBe(false);
    expect(second.diff).toBeUndefined();
  });

  // a first run makes many directories: one process each where the parent exists, the mode still exact
  it('makes a new directory with its mode in one mkdir where its parent exists, with mkdir -p and chmod where not', async () => {
    const counter = await programCounter();
    const PATH = process.env.PATH;
    process.env.PATH = counter.path;
    try {
      const made = async (path: string, mode: string) => {
        await counter.reset();
        expect(await runModule(fileModule, { path, state: 'directory', mode })).toMatchObject({ changed: true, mode });
        return (await counter.programs()).filter((p) => p === 'mkdir' || p === 'chmod');
      };
      expect(await made(join(dir, 'one'), '0750')).toEqual(['mkdir']);
      // bits the umask would clear, and setgid, are set all the same
      expect(await made(join(dir, 'open'), '0777')).toEqual(['mkdir']);
      expect(await made(join(dir, 'shared'), '2770')).toEqual(['mkdir']);
      expect(await made(join(dir, 'deep/er'), '0700')).toEqual(['mkdir', 'mkdir', 'chmod']);
    } finally {
      process.env.PATH = PATH;
      await counter.cleanup();
    }
    expect(await modeOf(join(dir, 'one'))).toBe('750');
    expect(await modeOf(join(dir, 'open'))).toBe('777');
    expect(await modeOf(join(dir, 'shared'))).toBe('2770');
    expect(await modeOf(join(dir, 'deep/er'))).toBe('700');
  });

  it('changes only the mode of an existing file and shows it in the diff', async () => {
    const path = join(dir, 'f');
    await writeFile(path, 'x', { mode: 0o644 });
    const res = await runModule(fileModule, { path, mode: 0o600 });
    expect(res).toMatchObject({ changed: true, state: 'file', mode: '0600' });
    expect(res.diff?.[0]).toMatchObject({ before: 'state: file\nmode: 0644\n', after: 'state: file\nmode: 0600\n' });
    expect(await modeOf(path)).toBe('600');
    expect((await runModule(fileModule, { path, mode: '600' })).changed).toBe(false);
  });

  it("touches as Ansible: an existing file's times are set again (changed) unless access_time and modification_time preserve them", async () => {
    const path = join(dir, 'stamp');
    expect((await runModule(fileModule, { path, state: 'touch', mode: '0640' })).changed).toBe(true);
    expect(await modeOf(path)).toBe('640');
    const old = new Date('2001-02-03T04:05:06Z');
    await utimes(path, old, old);
    const kept = { path, state: 'touch', mode: '0640', access_time: 'preserve', modification_time: 'preserve' };
    expect((await runModule(fileModule, kept)).changed).toBe(false);
    expect((await stat(path)).mtime).toEqual(old);
    expect((await runModule(fileModule, { ...kept, access_time: 'now' })).changed).toBe(true);
    expect((await stat(path)).mtime).toEqual(old);
    expect((await stat(path)).atime).not.toEqual(old);
    expect((await runModule(fileModule, { path, state: 'touch' })).changed).toBe(true);
    expect((await stat(path)).mtime).not.toEqual(old);
    expect(() => fileModule.args.parse({ path, state: 'touch', modification_time: '202001010000.00' })).toThrow(/now' or 'preserve/);
  });

  it('creates, keeps and repoints a symlink', async () => {
    const path = join(dir, 'current');
    expect(await runModule(fileModule, { path, state: 'link', src: '/etc/hostname' })).toMatchObject({ changed: true, src: '/etc/hostname' });
    expect(await readlink(path)).toBe('/etc/hostname');
    expect((await runModule(fileModule, { path, state: 'link', src: '/etc/hostname' })).changed).toBe(false);
    const moved = await runModule(fileModule, { path, state: 'link', src: '/etc/passwd' });
    expect(moved.changed).toBe(true);
    expect(moved.diff?.[0]).toMatchObject({ before: 'state: link\nsrc: /etc/hostname\n', after: 'state: link\nsrc: /etc/passwd\n' });
    expect(await readlink(path)).toBe('/etc/passwd');
  });

  it('refuses to replace a regular file with a link unless forced', async () => {
    const path = join(dir, 'f');
    await writeFile(path, 'data');
    expect(await runModule(fileModule, { path, state: 'link', src: '/etc/hostname' })).toMatchObject({ failed: true });
    expect((await runModule(fileModule, { path, state: 'link', src: '/etc/hostname', force: true })).changed).toBe(true);
    expect(await readlink(path)).toBe('/etc/hostname');
  });

  it('removes a tree, then reports nothing to do', async () => {
    const path = join(dir, 'tree');
    await runModule(fileModule, { path: join(path, 'deep'), state: 'directory' });
    expect((await runModule(fileModule, { path, state: 'absent' })).changed).toBe(true);
    expect(await snapshotDir(dir)).toEqual({});
    expect((await runModule(fileModule, { path, state: 'absent' })).changed).toBe(false);
  });

  it('fails on a missing file with state=file', async () => {
    expect(await runModule(fileModule, { path: join(dir, 'nope') })).toMatchObject({ failed: true, changed: false });
  });

  it('check mode on a fresh target writes nothing but reports the change and diff', async () => {
    const before = await snapshotDir(dir);
    for (const args of [
      { path: join(dir, 'd'), state: 'directory', mode: '0700' },
      { path: join(dir, 't'), state: 'touch' },
      { path: join(dir, 'l'), state: 'link', src: '/etc/hostname' },
    ]) {
      const res = await runModule(fileModule, args, { check: true });
      expect(res.changed).toBe(true);
      expect(res.diff?.[0].before).toBe('state: absent\n');
    }
    expect(await snapshotDir(dir)).toEqual(before);
  });

  it('rejects unknown arguments and bad modes', () => {
    expect(() => fileModule.args.parse({ path: '/x', recurse: true })).toThrow();
    expect(() => fileModule.args.parse({ path: '/x', mode: 'rwx' })).toThrow();
    expect(() => fileModule.args.parse({ path: '/x', state: 'link' })).toThrow(/src/);
  });
});
