import { createHash } from 'node:crypto';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findModule } from '../../lib/modules/builtin/find.js';
import { makeTempDir, removeDir, runModule } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir();
  await mkdir(join(dir, 'conf.d/sub'), { recursive: true });
  await mkdir(join(dir, '.hidden'));
  await writeFile(join(dir, 'a.log'), 'error: disk\n');
  await writeFile(join(dir, 'b.log'), 'all good\n'.repeat(300));
  await writeFile(join(dir, 'c.txt'), 'x');
  await writeFile(join(dir, '.secret.log'), 'x');
  await writeFile(join(dir, 'conf.d/one.conf'), 'listen 80\n');
  await writeFile(join(dir, 'conf.d/sub/two.conf'), 'listen 81\n');
  await writeFile(join(dir, '.hidden/three.conf'), 'x');
  const old = new Date(Date.now() - 10 * 86400_000);
  await utimes(join(dir, 'a.log'), old, old);
});
afterAll(() => removeDir(dir));

const paths = (r: Record<string, unknown>) => (r.files as { path: string }[]).map((f) => f.path.slice(dir.length + 1));

describe('find', () => {
  it('matches names with globs in the directory itself, skipping hidden names, and counts what it examined', async () => {
    const res = await runModule(findModule, { paths: dir, patterns: '*.log' });
    expect(paths(res)).toEqual(['a.log', 'b.log']);
    expect(res).toMatchObject({ changed: false, matched: 2, examined: 6, msg: 'All paths examined', skipped_paths: {} });
    expect((res.files as Record<string, unknown>[])[0]).toMatchObject({ isreg: true, mode: '0644', pw_name: 'root', size: 12 });
    expect(paths(await runModule(findModule, { paths: dir, patterns: '*.log', hidden: true }))).toEqual(['.secret.log', 'a.log', 'b.log']);
  });

  it('recurses, to a depth; walks into hidden directories as os.walk does', async () => {
    expect(paths(await runModule(findModule, { paths: [dir], patterns: ['*.conf'], recurse: true }))).toEqual([
      '.hidden/three.conf',
      'conf.d/one.conf',
      'conf.d/sub/two.conf',
    ]);
    expect(paths(await runModule(findModule, { paths: [dir], patterns: ['*.conf'], recurse: true, depth: 2 }))).toEqual([
      '.hidden/three.conf',
      'conf.d/one.conf',
    ]);
    expect(paths(await runModule(findModule, { path: dir, file_type: 'directory', recurse: true }))).toEqual(['conf.d', 'conf.d/sub']);
  });

  it('filters by age, size, content, excludes and regex, and returns checksums', async () => {
    expect(paths(await runModule(findModule, { paths: dir, age: '1d' }))).toEqual(['a.log']);
    expect(paths(await runModule(findModule, { paths: dir, age: '-1d' }))).toEqual(['b.log', 'c.txt']);
    expect(paths(await runModule(findModule, { paths: dir, size: '1k' }))).toEqual(['b.log']);
    expect(paths(await runModule(findModule, { paths: dir, contains: 'error' }))).toEqual(['a.log']);
    expect(paths(await runModule(findModule, { paths: dir, contains: 'disk', read_whole_file: true }))).toEqual(['a.log']);
    expect(paths(await runModule(findModule, { paths: dir, patterns: '*', excludes: '*.log' }))).toEqual(['c.txt']);
    expect(paths(await runModule(findModule, { paths: dir, patterns: '[ab]\\.', use_regex: true }))).toEqual(['a.log', 'b.log']);
    const [c] = (await runModule(findModule, { paths: dir, pattern: 'c.txt', get_checksum: true })).files as Record<string, unknown>[];
    expect(c.checksum).toBe(createHash('sha1').update('x').digest('hex'));
  });

  it('skips a path that is not a directory, naming it', async () => {
    const res = await runModule(findModule, { paths: [join(dir, 'c.txt'), join(dir, 'nope')] });
    expect(res).toMatchObject({
      matched: 0,
      msg: 'Not all paths examined, check warnings for details',
      skipped_paths: { [join(dir, 'c.txt')]: `'${join(dir, 'c.txt')}' is not a directory`, [join(dir, 'nope')]: `'${join(dir, 'nope')}' is not a directory` },
    });
  });
});
