import { chmod, link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileContent } from '../../lib/facts/builtin/file-content.js';
import { createFactStore } from '../../lib/facts/fact-store.js';
import { request } from '../../lib/facts/fact.js';
import { localTransport } from '../../lib/transport/local.js';
import { TEST_USERS } from '../helpers/sshd.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-content-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const read = async (paths: string[], become?: { user: string }) => {
  const reader = createFactStore(localTransport()).reader(become);
  await reader.readAll(paths.map((p) => request(fileContent, p))).catch(() => undefined);
  return Promise.all(
    paths.map((p) =>
      reader.read(fileContent, p).then(
        (v) => v,
        (e: Error) => e,
      ),
    ),
  );
};

describe('file_content: every file in one archive', () => {
  it('returns each file’s exact bytes, whatever its name or content, and null for what is not a regular file', async () => {
    const binary = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0, 0x80, 0xc3]);
    const long = `${'n'.repeat(120)}/${'m'.repeat(150)}.conf`;
    const names = ['plain', 'two\nlines', "quote's $x", 'back\\slash', '-dash', long, 'empty', 'binary'];
    await mkdir(join(dir, 'n'.repeat(120)));
    for (const name of names) await writeFile(join(dir, name), name === 'binary' ? binary : name === 'empty' ? '' : `content of ${name}\n`);
    await link(join(dir, 'plain'), join(dir, 'hardlink'));
    await symlink(join(dir, 'plain'), join(dir, 'symlink'));
    await mkdir(join(dir, 'a-dir'));
    const paths = [...names, 'hardlink', 'symlink', 'a-dir', 'missing'].map((n) => join(dir, n));
    const values = await read(paths);
    expect(values.slice(0, 5).map((v) => (v as Buffer).toString())).toEqual(names.slice(0, 5).map((n) => `content of ${n}\n`));
    expect((values[5] as Buffer).toString()).toBe(`content of ${long}\n`);
    expect(values[6]).toEqual(Buffer.alloc(0));
    expect(values[7]).toEqual(binary);
    // a second name of the same file, and a link to it, read as the file
    expect((values[8] as Buffer).toString()).toBe('content of plain\n');
    expect((values[9] as Buffer).toString()).toBe('content of plain\n');
    expect(values.slice(10)).toEqual([null, null]);
  });

  // read as the unprivileged test user (test/setup/ensure-sshd.mjs), through sudo: root reads every file
  it('a file the reader cannot read is an error naming it, and the others are still read', async () => {
    await chmod(dir, 0o755);
    await writeFile(join(dir, 'secret'), 'x', { mode: 0o600 });
    await writeFile(join(dir, 'open'), 'y', { mode: 0o644 });
    const [secret, open] = await read([join(dir, 'secret'), join(dir, 'open')], { user: TEST_USERS.passwordless });
    expect(String(secret)).toMatch(/cannot read .*secret: permission denied/);
    expect(open).toEqual(Buffer.from('y'));
  });
});
