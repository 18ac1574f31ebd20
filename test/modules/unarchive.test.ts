import { execFileSync } from 'node:child_process';
import { lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { unarchiveModule } from '../../lib/modules/builtin/unarchive.js';
import { makeTempDir, removeDir, runModule, snapshotDir } from './helpers.js';

let dir: string;
let files: string;
let dest: string;
beforeEach(async () => {
  dir = await makeTempDir();
  files = join(dir, 'files');
  dest = join(dir, 'dest');
  const src = join(dir, 'src');
  await mkdir(join(src, 'app/bin'), { recursive: true });
  await writeFile(join(src, 'app/bin/run'), '#!/bin/sh\n', { mode: 0o755 });
  await writeFile(join(src, 'app/README'), 'read me\n');
  await mkdir(files);
  await mkdir(dest);
  execFileSync('tar', ['-C', src, '-czf', join(files, 'app.tar.gz'), 'app']);
  execFileSync('tar', ['-C', src, '-cJf', join(files, 'app.tar.xz'), 'app']);
});
afterEach(() => removeDir(dir));

const tmpArchives = async () => (await readdir('/tmp')).filter((n) => n.startsWith('.nop-archive-'));

describe('unarchive', () => {
  it('unpacks a controller tarball once (tar --diff decides), leaves no staged copy behind; check mode unpacks nothing', async () => {
    const before = await tmpArchives();
    const args = { src: 'app.tar.gz', dest, list_files: true };
    expect(await runModule(unarchiveModule, args, { fileDirs: [files], check: true })).toMatchObject({ changed: true, handler: 'TgzArchive' });
    expect(await readdir(dest)).toEqual([]);
    const first = await runModule(unarchiveModule, args, { fileDirs: [files] });
    expect(first).toMatchObject({
      changed: true,
      handler: 'TgzArchive',
      dest,
      state: 'directory',
      files: expect.arrayContaining(['app/', 'app/bin/', 'app/bin/run', 'app/README']),
    });
    expect(await readFile(join(dest, 'app/README'), 'utf8')).toBe('read me\n');
    const snapshot = await snapshotDir(dest);
    expect(await runModule(unarchiveModule, args, { fileDirs: [files] })).toMatchObject({ changed: false });
    expect(await snapshotDir(dest)).toEqual(snapshot);
    expect(await tmpArchives()).toEqual(before);
  });

  it('unpacks a tarball already on the host, sets mode on its members, and honours creates', async () => {
    const src = join(files, 'app.tar.xz');
    const res = await runModule(unarchiveModule, { src, dest, remote_src: true, mode: '0700' });
    expect(res).toMatchObject({ changed: true, handler: 'TarXzArchive' });
    expect(((await lstat(join(dest, 'app/README'))).mode & 0o777).toString(8)).toBe('700');
    expect(await runModule(unarchiveModule, { src, dest, remote_src: true, mode: '0700' })).toMatchObject({ changed: false });
    expect(await runModule(unarchiveModule, { src, dest, remote_src: true, creates: join(dest, 'app') })).toMatchObject({
      changed: false,
      skipped: true,
      msg: `skipped, since ${join(dest, 'app')} exists`,
    });
  });

  it('applies a symbolic mode to what each member was given, when unpacking and after', async () => {
    const src = join(files, 'app.tar.xz');
    const modeOf = async (rel: string) => ((await lstat(join(dest, rel))).mode & 0o777).toString(8);
    expect(await runModule(unarchiveModule, { src, dest, remote_src: true, mode: 'go-rwx' })).toMatchObject({ changed: true });
    expect([await modeOf('app/bin/run'), await modeOf('app/README'), await modeOf('app')]).toEqual(['700', '600', '700']);
    expect(await runModule(unarchiveModule, { src, dest, remote_src: true, mode: 'go-rwx' })).toMatchObject({ changed: false });
    expect(await runModule(unarchiveModule, { src, dest, remote_src: true, mode: 'u-w' })).toMatchObject({ changed: true });
    expect([await modeOf('app/bin/run'), await modeOf('app/README')]).toEqual(['500', '400']);
  });

  it('refuses a missing source, an empty archive and a dest that is not a directory', async () => {
    expect(await runModule(unarchiveModule, { src: join(dir, 'none.tgz'), dest, remote_src: true })).toMatchObject({
      failed: true,
      msg: `Source '${join(dir, 'none.tgz')}' does not exist`,
    });
    await writeFile(join(dir, 'empty.tgz'), '');
    expect(await runModule(unarchiveModule, { src: join(dir, 'empty.tgz'), dest, remote_src: true })).toMatchObject({
      failed: true,
      msg: `Invalid archive '${join(dir, 'empty.tgz')}', the file is 0 bytes`,
    });
    expect(await runModule(unarchiveModule, { src: 'app.tar.gz', dest: join(dir, 'nowhere') }, { fileDirs: [files] })).toMatchObject({
      failed: true,
      msg: `Destination '${join(dir, 'nowhere')}' is not a directory`,
    });
  });
});
