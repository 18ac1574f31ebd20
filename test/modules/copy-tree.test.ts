import { createHash } from 'node:crypto';
import { lstat, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyModule } from '../../lib/modules/builtin/copy.js';
import { templateModule } from '../../lib/modules/builtin/template.js';
import { makeTempDir, removeDir, runModule, snapshotDir } from './helpers.js';

let dir: string;
let files: string;
let target: string;
beforeEach(async () => {
  dir = await makeTempDir();
  files = join(dir, 'files');
  target = join(dir, 'target');
  await mkdir(join(files, 'site/conf.d'), { recursive: true });
  await writeFile(join(files, 'site/index.html'), '<h1>hi</h1>\n');
  await writeFile(join(files, 'site/conf.d/a.conf'), 'a=1\n');
  await mkdir(target);
});
afterEach(() => removeDir(dir));

const modeOf = async (p: string) => ((await lstat(p)).mode & 0o7777).toString(8);
const tree = async (root: string): Promise<string[]> => {
  const out: string[] = [];
  const walk = async (rel: string) => {
    for (const name of (await readdir(join(root, rel))).sort()) {
      const child = rel ? `${rel}/${name}` : name;
      const isDir = (await lstat(join(root, child))).isDirectory();
      out.push(isDir ? `${child}/` : child);
      if (isDir) await walk(child);
    }
  };
  await walk('');
  return out;
};

describe('copy of a directory tree', () => {
  it('copies the directory under its own name (src without /), with directory_mode and mode; a second run changes nothing', async () => {
    const args = { src: 'site', dest: target, mode: '0640', directory_mode: '0750' };
    const first = await runModule(copyModule, args, { fileDirs: [files] });
    expect(first).toMatchObject({ changed: true, dest: `${target}/`, src: join(files, 'site') });
    expect(await tree(target)).toEqual(['site/', 'site/conf.d/', 'site/conf.d/a.conf', 'site/index.html']);
    expect(await modeOf(join(target, 'site/conf.d'))).toBe('750');
    expect(await modeOf(join(target, 'site/index.html'))).toBe('640');
    const snapshot = await snapshotDir(target);
    expect((await runModule(copyModule, args, { fileDirs: [files] })).changed).toBe(false);
    expect(await snapshotDir(target)).toEqual(snapshot);
  });

  it('takes symbolic directory_mode and mode, and a second run changes nothing', async () => {
    const args = { src: 'site', dest: target, mode: 'u=rw,g=r,o=', directory_mode: 'u=rwx,g=rx,o=' };
    expect((await runModule(copyModule, args, { fileDirs: [files] })).changed).toBe(true);
    expect([await modeOf(join(target, 'site')), await modeOf(join(target, 'site/conf.d')), await modeOf(join(target, 'site/index.html'))]).toEqual([
      '750',
      '750',
      '640',
    ]);
    expect((await runModule(copyModule, args, { fileDirs: [files] })).changed).toBe(false);
  });

  it("copies a directory's content into dest (src ending in /), only what differs; check mode writes nothing", async () => {
    await writeFile(join(target, 'index.html'), '<h1>old</h1>\n');
    const args = { src: 'site/', dest: target };
    const snapshot = await snapshotDir(dir);
    const checked = await runModule(copyModule, args, { fileDirs: [files], check: true });
    expect(checked.changed).toBe(true);
    expect(checked.diff?.map((d) => d.path)).toEqual([join(target, 'conf.d'), join(target, 'conf.d/a.conf'), join(target, 'index.html')]);
    expect(await snapshotDir(dir)).toEqual(snapshot);
    expect((await runModule(copyModule, args, { fileDirs: [files] })).changed).toBe(true);
    expect(await tree(target)).toEqual(['conf.d/', 'conf.d/a.conf', 'index.html']);
    expect(await readFile(join(target, 'index.html'), 'utf8')).toBe('<h1>hi</h1>\n');
  });
});

describe('copy remote_src', () => {
  it('copies a file already on the host, keeping an existing mode, and reports Ansible checksums', async () => {
    const src = join(files, 'site/conf.d/a.conf');
    const dest = join(target, 'a.conf');
    const first = await runModule(copyModule, { src, dest, remote_src: true });
    const digest = (algorithm: string) => createHash(algorithm).update('a=1\n').digest('hex');
    expect(first).toMatchObject({ changed: true, dest, src, checksum: digest('sha1'), md5sum: digest('md5') });
    expect(await readFile(dest, 'utf8')).toBe('a=1\n');
    expect(await modeOf(dest)).toBe('644');
    expect((await runModule(copyModule, { src, dest, remote_src: true })).changed).toBe(false);
    expect(await runModule(copyModule, { src: join(files, 'none'), dest, remote_src: true })).toMatchObject({
      failed: true,
      msg: `Source ${join(files, 'none')} not found`,
    });
  });

  it('copies a tree already on the host', async () => {
    const res = await runModule(copyModule, { src: join(files, 'site'), dest: target, remote_src: true });
    expect(res).toMatchObject({ changed: true, dest: `${target}/` });
    expect(await tree(target)).toEqual(['site/', 'site/conf.d/', 'site/conf.d/a.conf', 'site/index.html']);
    expect((await runModule(copyModule, { src: join(files, 'site'), dest: target, remote_src: true })).changed).toBe(false);
  });
});

describe('validate', () => {
  it('copy and template leave the file alone when validation refuses the content', async () => {
    const dest = join(target, 'sudoers');
    await writeFile(dest, 'ok\n');
    const refused = await runModule(copyModule, { dest, content: 'bad\n', validate: 'grep -q ok %s' });
    expect(refused).toMatchObject({ changed: false, failed: true, msg: 'failed to validate', exit_status: 1 });
    expect(await readFile(dest, 'utf8')).toBe('ok\n');
    expect(await readdir(target)).toEqual(['sudoers']);
    await writeFile(join(dir, 't.hbs'), 'ok {{v}}\n');
    const rendered = await runModule(templateModule, { src: 't.hbs', dest, validate: 'grep -q ok %s' }, { templateDirs: [dir], vars: { v: 2 } });
    expect(rendered).toMatchObject({ changed: true });
    expect(await readFile(dest, 'utf8')).toBe('ok 2\n');
    expect(() => copyModule.args.parse({ dest, content: 'x', validate: 'visudo -c' })).toThrow(/validate must contain %s/);
  });
});
