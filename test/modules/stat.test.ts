import { createHash } from 'node:crypto';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFactStore } from '../../lib/facts/fact-store.js';
import { copyModule } from '../../lib/modules/builtin/copy.js';
import { statModule } from '../../lib/modules/builtin/stat.js';
import { localTransport } from '../../lib/transport/local.js';
import { makeContext, makeTempDir, removeDir, runModule } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(() => removeDir(dir));

const sha = (algo: string, s: string) => createHash(algo).update(s).digest('hex');

describe('stat', () => {
  it("describes a file as Ansible's stat does: type, mode, owner, checksum (sha1 by default), mime", async () => {
    await writeFile(join(dir, 'f'), 'hello\n', { mode: 0o640 });
    const res = await runModule(statModule, { path: join(dir, 'f') });
    expect(res.changed).toBe(false);
    expect(res.stat).toMatchObject({
      exists: true,
      path: join(dir, 'f'),
      mode: '0640',
      isreg: true,
      isdir: false,
      islnk: false,
      size: 6,
      uid: process.getuid?.(),
      pw_name: 'root',
      rusr: true,
      wusr: true,
      xusr: false,
      rgrp: true,
      woth: false,
      readable: true,
      checksum: sha('sha1', 'hello\n'),
      mimetype: 'text/plain',
      charset: 'us-ascii',
    });
    const sha256 = await runModule(statModule, { path: join(dir, 'f'), checksum_algorithm: 'sha256', get_md5: true });
    expect(sha256.stat).toMatchObject({ checksum: sha('sha256', 'hello\n'), md5: sha('md5', 'hello\n') });
  });

  it('says exists: false for a missing path, and describes links without or with follow', async () => {
    expect((await runModule(statModule, { path: join(dir, 'none') })).stat).toEqual({ exists: false });
    await mkdir(join(dir, 'd'));
    await symlink('d', join(dir, 'l'));
    const link = (await runModule(statModule, { path: join(dir, 'l'), get_mime: false })).stat as Record<string, unknown>;
    expect(link).toMatchObject({ islnk: true, isdir: false, lnk_target: 'd', lnk_source: join(dir, 'd') });
    expect(link.checksum).toBeUndefined();
    const followed = (await runModule(statModule, { name: join(dir, 'l'), follow: true, mime: false })).stat;
    expect(followed).toMatchObject({ islnk: false, isdir: true });
  });

  it('sees what an earlier task changed though its facts were read before it ran', async () => {
    const transport = localTransport();
    const store = createFactStore(transport);
    const ctx = makeContext({ transport, facts: store });
    const paths = ['a', 'b', 'c'].map((n) => join(dir, n));
    await ctx.facts.readAll(paths.flatMap((p) => statModule.facts!(statModule.args.parse({ path: p }))));
    expect(((await runModule(statModule, { path: paths[0] }, ctx)).stat as { exists: boolean }).exists).toBe(false);
    await runModule(copyModule, { dest: paths[0], content: 'x' }, ctx);
    expect((await runModule(statModule, { path: paths[0] }, ctx)).stat).toMatchObject({ exists: true, checksum: sha('sha1', 'x') });
  });
});
