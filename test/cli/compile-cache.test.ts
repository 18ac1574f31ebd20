import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../lib/runner/paths.js';

// The compiled bin with its bundle (`npm test` builds first), each run with its own cache home.
const nop = (args: string[], env: Record<string, string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [join(packageRoot, 'bin', 'nop.js'), ...args], { env: { ...process.env, CI: '1', ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
/** The entries of the file at `path` with this source, complete and first: named by both (lib/cli/compile-cache.ts). */
const entryNames = (path: string, source: string) => {
  const name = sha1(`${path}\0${sha1(source)}`);
  return { complete: `${name}.v8`, first: `${name}.first.v8` };
};

let home: string;
let cacheDir: string;
let bundleEntry: string;
let bundleFirstEntry: string;
const env = () => ({ XDG_CACHE_HOME: home });
const entries = async () => (await readdir(cacheDir)).sort();

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'nop-compile-cache-'));
  cacheDir = join(home, 'nop', `v8-${process.versions.v8}-${process.arch}`);
  const bundle = join(packageRoot, 'dist', 'bundle', 'nop.cjs');
  const names = entryNames(bundle, await readFile(bundle, 'utf8'));
  bundleEntry = join(cacheDir, names.complete);
  bundleFirstEntry = join(cacheDir, names.first);
});
afterAll(() => rm(home, { recursive: true, force: true }));

describe("nop's V8 code cache", () => {
  it('is written by the first run, completed by the second with what it compiled too, and only read after', async () => {
    const first = await nop(['--version'], env());
    expect(first.code).toBe(0);
    const written = await entries();
    expect(written).toContain(bundleFirstEntry.slice(cacheDir.length + 1));
    expect(written.filter((name) => !name.endsWith('.v8'))).toEqual([]);
    const firstSize = (await stat(bundleFirstEntry)).size;
    // a run compiles more of the CLI than --version did: the complete entry holds both runs' functions
    const syntax = await nop(['run', join(packageRoot, 'playbooks', 'setup.yml'), '--syntax-check'], env());
    expect(syntax).toMatchObject({ code: 0, stderr: '' });
    const complete = await stat(bundleEntry);
    expect(complete.size).toBeGreaterThan(firstSize);
    await expect(stat(bundleFirstEntry)).rejects.toThrow(/ENOENT/);
    const third = await nop(['--version'], env());
    expect(third.stdout).toBe(first.stdout);
    // an entry V8 accepted is not written again (a rewrite is a rename: a new inode)
    expect((await stat(bundleEntry)).ino).toBe(complete.ino);
  });

  it('replaces an entry V8 rejects, and the run does not notice', async () => {
    await writeFile(bundleEntry, 'not V8 code');
    const res = await nop(['--version'], env());
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect((await readFile(bundleEntry)).toString('latin1')).not.toBe('not V8 code');
  });

  it("loads the builtin roles' bundled code through it", async () => {
    const res = await nop(
      ['run', join(packageRoot, 'playbooks', 'setup.yml'), '-i', join(packageRoot, 'inventory', 'single-server.yml'), '--list-tasks'],
      env(),
    );
    expect(res.stderr).toBe('');
    expect(res.stdout).toContain('register : ML operational grant on chain');
    const role = join(packageRoot, 'dist', 'bundle', 'roles', 'register.cjs');
    const { complete, first } = entryNames(role, await readFile(role, 'utf8'));
    expect((await entries()).filter((name) => name === complete || name === first)).toHaveLength(1);
  });

  it('is made for this user alone, and a directory that others can write to is not used', async () => {
    expect((await stat(cacheDir)).mode & 0o777).toBe(0o700);
    const sharedHome = join(home, 'shared');
    const shared = join(sharedHome, 'nop', `v8-${process.versions.v8}-${process.arch}`);
    await mkdir(shared, { recursive: true });
    await chmod(shared, 0o777);
    const planted = join(shared, bundleEntry.slice(cacheDir.length + 1));
    await writeFile(planted, 'planted');
    const res = await nop(['--version'], { XDG_CACHE_HOME: sharedHome });
    expect(res).toMatchObject({ code: 0, stderr: '' });
    // neither read (a rejected entry would be rewritten) nor written
    expect(await readFile(planted, 'utf8')).toBe('planted');
    expect(await readdir(shared)).toEqual([planted.slice(shared.length + 1)]);
  });

  it("gives each module Node.js's own require: requests resolve from the module, and it becomes their parent", async () => {
    const dir = join(home, 'modules');
    await mkdir(dir);
    await writeFile(join(dir, 'b.cjs'), 'module.exports = 2;\n');
    await writeFile(
      join(dir, 'a.cjs'),
      `const b = require('./b.cjs');
       module.exports = { b, children: module.children.map((m) => m.id), resolved: require.resolve('./b.cjs'),
         parentOfB: require.cache[require.resolve('./b.cjs')].parent.id, isMain: require.main === process.mainModule,
         lookup: require.resolve.paths('x')[0] };\n`,
    );
    const cache = join(packageRoot, 'dist', 'bundle', 'compile-cache.cjs');
    await writeFile(
      join(dir, 'main.cjs'),
      `if (process.argv[2]) require(${JSON.stringify(cache)}).enableCompileCache(process.argv[2]);
       process.stdout.write(JSON.stringify(require('./a.cjs')));\n`,
    );
    const load = (args: string[]) =>
      new Promise<string>((resolve, reject) =>
        execFile(process.execPath, [join(dir, 'main.cjs'), ...args], (error, stdout) => (error ? reject(error) : resolve(stdout))),
      );
    const plain = JSON.parse(await load([]));
    expect(plain).toMatchObject({ b: 2, children: [join(dir, 'b.cjs')], resolved: join(dir, 'b.cjs'), parentOfB: join(dir, 'a.cjs'), isMain: true });
    // the first load writes the entries, the second runs from them
    expect(JSON.parse(await load([join(home, 'own-require')]))).toEqual(plain);
    expect(JSON.parse(await load([join(home, 'own-require')]))).toEqual(plain);
    expect((await readdir(join(home, 'own-require'))).length).toBeGreaterThan(0);
  });

  it('keeps the same source at two paths apart: stack traces name the file that ran', async () => {
    const cache = join(packageRoot, 'dist', 'bundle', 'compile-cache.cjs');
    const copies = [join(home, 'copy-a'), join(home, 'copy-b')];
    for (const copy of copies) {
      await mkdir(copy);
      await writeFile(join(copy, 'where.cjs'), 'module.exports = () => new Error("here").stack.split("\\n")[1];\n');
    }
    const main = join(home, 'where-main.cjs');
    await writeFile(
      main,
      `require(${JSON.stringify(cache)}).enableCompileCache(process.argv[2]);
       process.stdout.write(require(process.argv[3])());\n`,
    );
    const where = (copy: string) =>
      new Promise<string>((resolve, reject) =>
        execFile(process.execPath, [main, join(home, 'shared-cache'), join(copy, 'where.cjs')], (error, stdout) => (error ? reject(error) : resolve(stdout))),
      );
    // each copy twice: the second load of each runs from an entry
    for (const copy of [...copies, ...copies]) expect(await where(copy)).toContain(join(copy, 'where.cjs'));
  });

  it("is no run's failure when it cannot be written, and is off with NODE_DISABLE_COMPILE_CACHE", async () => {
    const blocked = join(home, 'a-file');
    await writeFile(blocked, '');
    const unwritable = await nop(['--version'], { XDG_CACHE_HOME: blocked });
    expect(unwritable).toMatchObject({ code: 0, stderr: '' });
    const offHome = join(home, 'off');
    const off = await nop(['--version'], { XDG_CACHE_HOME: offHome, NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(off.code).toBe(0);
    await expect(stat(offHome)).rejects.toThrow(/ENOENT/);
  });
});
