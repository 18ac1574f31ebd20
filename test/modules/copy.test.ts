import { randomBytes } from 'node:crypto';
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
  await mkdir(files);
  await mkdir(target);
});
afterEach(() => removeDir(dir));

const modeOf = async (p: string) => ((await lstat(p)).mode & 0o7777).toString(8);

describe('copy', () => {
  it('writes content once, with mode, and shows the diff', async () => {
    const dest = join(target, 'config.env');
    const first = await runModule(copyModule, { dest, content: 'A=1\n', mode: '0600' });
    expect(first).toMatchObject({ changed: true, dest, mode: '0600', state: 'file', size: 4 });
    expect(first.checksum).toMatch(/^[0-9a-f]{40}$/);
    expect(first.diff).toEqual([{ path: dest, before: '', after: 'A=1\n' }]);
    expect(await readFile(dest, 'utf8')).toBe('A=1\n');
    expect(await modeOf(dest)).toBe('600');
    const second = await runModule(copyModule, { dest, content: 'A=1\n', mode: '0600' });
    expect(second.changed).toBe(false);
    const third = await runModule(copyModule, { dest, content: 'A=2\n' });
    // the replaced file was 0600: the runner shows its diff as "content hidden"
    expect(third.diff).toEqual([{ path: dest, before: 'A=1\n', after: 'A=2\n', privateBefore: true }]);
    // a replaced file keeps its mode when the task names none
    expect(await modeOf(dest)).toBe('600');
  });

  it('redacts the diff of secret content', async () => {
    const dest = join(target, 'secret');
    const res = await runModule(copyModule, { dest, content: 'KEYRING_PASSWORD=hunter2\n', secret: true });
    expect(res.diff).toEqual([{ path: dest, before: '', after: '', redact: true }]);
    expect(JSON.stringify(res)).not.toContain('hunter2');
  });

  it('keeps an Ansible-named backup of the replaced file', async () => {
    const dest = join(target, 'app.conf');
    await writeFile(dest, 'old\n');
    const res = await runModule(copyModule, { dest, content: 'new\n', backup: true });
    expect(res.backup_file).toMatch(new RegExp(`^${dest.replace(/[.]/g, '\\.')}\\.\\d+\\.\\d{4}-\\d{2}-\\d{2}@\\d{2}:\\d{2}:\\d{2}~$`));
    expect(await readFile(String(res.backup_file), 'utf8')).toBe('old\n');
    expect(await readFile(dest, 'utf8')).toBe('new\n');
  });

  it('streams a large local src, compared by hash, and summarizes it in the diff', async () => {
    const big = randomBytes(300_000);
    await writeFile(join(files, 'model.bin'), big);
    const dest = join(target, 'model.bin');
    const first = await runModule(copyModule, { src: 'model.bin', dest }, { fileDirs: [files] });
    expect(first.changed).toBe(true);
    expect(first.diff?.[0].after).toMatch(/^\(binary or large content: 300000 bytes, sha256 [0-9a-f]{64}\)\n$/);
    expect((await readFile(dest)).equals(big)).toBe(true);
    expect((await runModule(copyModule, { src: 'model.bin', dest }, { fileDirs: [files] })).changed).toBe(false);
  });

  it('copies src into an existing directory under its own name', async () => {
    await writeFile(join(files, 'run.sh'), 'echo hi\n');
    const res = await runModule(copyModule, { src: 'run.sh', dest: target, mode: '0755' }, { fileDirs: [files] });
    expect(res).toMatchObject({ changed: true, dest: join(target, 'run.sh') });
    expect(await modeOf(join(target, 'run.sh'))).toBe('755');
  });

  it('leaves an existing dest alone with force: false', async () => {
    const dest = join(target, 'keep');
    await writeFile(dest, 'mine\n');
    expect((await runModule(copyModule, { dest, content: 'theirs\n', force: false })).changed).toBe(false);
    expect(await readFile(dest, 'utf8')).toBe('mine\n');
  });

  it('check mode writes nothing but reports the change and diff', async () => {
    const before = await snapshotDir(dir);
    const res = await runModule(copyModule, { dest: join(target, 'x'), content: 'x\n', backup: true }, { check: true });
    expect(res).toMatchObject({ changed: true, diff: [{ before: '', after: 'x\n' }] });
    expect(await snapshotDir(dir)).toEqual(before);
  });

  it('needs exactly one of content and src', () => {
    expect(() => copyModule.args.parse({ dest: '/x' })).toThrow(/exactly one/);
    expect(() => copyModule.args.parse({ dest: '/x', content: 'a', src: 'b' })).toThrow(/exactly one/);
  });
});

describe('template', () => {
  it('renders with the task variables, once, with a diff', async () => {
    const templates = join(dir, 'templates');
    await mkdir(templates);
    await writeFile(join(templates, 'node.env.hbs'), 'PUBLIC_URL={{public_url}}\nPORT={{port}}\n');
    const dest = join(target, 'node.env');
    const opts = { templateDirs: [templates], vars: { public_url: 'http://10.0.0.1:8000', port: 8000 } };
    const first = await runModule(templateModule, { src: 'node.env.hbs', dest, mode: '0640' }, opts);
    expect(first).toMatchObject({ changed: true, mode: '0640', diff: [{ path: dest, before: '', after: 'PUBLIC_URL=http://10.0.0.1:8000\nPORT=8000\n' }] });
    expect((await runModule(templateModule, { src: 'node.env.hbs', dest, mode: '0640' }, opts)).changed).toBe(false);
    const changed = await runModule(templateModule, { src: 'node.env.hbs', dest, backup: true }, { ...opts, vars: { ...opts.vars, port: 9000 } });
    expect(changed.diff?.[0]).toMatchObject({ before: 'PUBLIC_URL=http://10.0.0.1:8000\nPORT=8000\n', after: 'PUBLIC_URL=http://10.0.0.1:8000\nPORT=9000\n' });
    expect((await readdir(target)).filter((n) => n.endsWith('~'))).toHaveLength(1);
  });

  it('check mode writes nothing; an undefined variable is an error', async () => {
    const templates = join(dir, 'templates');
    await mkdir(templates);
    await writeFile(join(templates, 't.hbs'), '{{missing}}\n');
    await expect(runModule(templateModule, { src: 't.hbs', dest: join(target, 't') }, { templateDirs: [templates], check: true })).rejects.toThrow(/missing/);
    await writeFile(join(templates, 'ok.hbs'), 'v={{v}}\n');
    const snapshot = await snapshotDir(dir);
    const res = await runModule(templateModule, { src: 'ok.hbs', dest: join(target, 'ok') }, { templateDirs: [templates], vars: { v: 1 }, check: true });
    expect(res.changed).toBe(true);
    expect(await snapshotDir(dir)).toEqual(snapshot);
  });
});
