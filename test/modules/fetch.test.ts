import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fetchModule } from '../../lib/modules/builtin/fetch.js';
import { localTransport } from '../../lib/transport/local.js';
import { makeTempDir, removeDir, runModule } from './helpers.js';

let dir: string;
let src: string;
let out: string;
beforeEach(async () => {
  dir = await makeTempDir();
  src = join(dir, 'host/etc/app.conf');
  out = join(dir, 'fetched');
  await mkdir(join(dir, 'host/etc'), { recursive: true });
  await writeFile(src, 'port=80\n');
});
afterEach(() => removeDir(dir));

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
const vars = { inventory_hostname: 'web1', playbook_dir: '/nowhere' };

describe('fetch', () => {
  it('lands in DEST/HOST/SRC, once; a second run compares checksums and writes nothing', async () => {
    const first = await runModule(fetchModule, { src, dest: out }, { vars });
    const dest = join(out, 'web1', src);
    expect(first).toMatchObject({ changed: true, dest, checksum: sha1('port=80\n'), remote_checksum: sha1('port=80\n'), remote_md5sum: null });
    expect(await readFile(dest, 'utf8')).toBe('port=80\n');
    expect(await runModule(fetchModule, { src, dest: out }, { vars })).toMatchObject({ changed: false, file: src, dest, checksum: sha1('port=80\n') });
  });

  it('with flat, writes the file itself, or into a directory given with a trailing /; check mode writes nothing', async () => {
    expect(await runModule(fetchModule, { src, dest: `${out}/`, flat: true }, { vars, check: true })).toMatchObject({ changed: true });
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
    expect(await runModule(fetchModule, { src, dest: `${out}/`, flat: true }, { vars })).toMatchObject({ changed: true, dest: join(out, 'app.conf') });
    expect(await runModule(fetchModule, { src, dest: join(out, 'renamed.conf'), flat: 'yes' }, { vars })).toMatchObject({ dest: join(out, 'renamed.conf') });
    expect((await readdir(out)).sort()).toEqual(['app.conf', 'renamed.conf']);
  });

  it('fails on a missing file unless fail_on_missing is false, and on a directory', async () => {
    const none = join(dir, 'none');
    expect(await runModule(fetchModule, { src: none, dest: out }, { vars })).toMatchObject({
      failed: true,
      msg: 'the remote file does not exist, not transferring, ignored',
    });
    expect(await runModule(fetchModule, { src: none, dest: out, fail_on_missing: false }, { vars })).toEqual({
      changed: false,
      file: none,
      msg: 'the remote file does not exist, not transferring, ignored',
    });
    expect(await runModule(fetchModule, { src: dir, dest: out }, { vars })).toMatchObject({
      failed: true,
      msg: 'remote file is a directory, fetch cannot work on directories',
    });
  });

  it('refuses what arrives when it is not what was planned (validate_checksum), writing nothing', async () => {
    const inner = localTransport();
    const transport = { ...inner, get: async () => Buffer.from('port=81\n') };
    const res = await runModule(fetchModule, { src, dest: out }, { vars, transport });
    expect(res).toMatchObject({ failed: true, msg: 'checksum mismatch', checksum: sha1('port=81\n'), remote_checksum: sha1('port=80\n') });
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });
});
