import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileChecksum } from '../../lib/facts/builtin/file-checksum.js';
import { fileContent } from '../../lib/facts/builtin/file-content.js';
import { fileStat } from '../../lib/facts/builtin/file-stat.js';
import { identity } from '../../lib/facts/builtin/identity.js';
import { createFactStore } from '../../lib/facts/fact-store.js';
import { type FactRequest, request } from '../../lib/facts/fact.js';
import { HASHED_HERE_MAX, READ_BY_SHELL_MAX } from '../../lib/facts/file-probe.js';
import { localTransport } from '../../lib/transport/local.js';
import type { Become, ExecOptions, Transport } from '../../lib/transport/transport.js';
import { type ProgramCounter, programCounter } from '../helpers/program-counter.js';
import { TEST_USERS } from '../helpers/sshd.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-probe-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

// every file fact of every path, read in one batch: what a play's lookahead asks of a host
const probe = async (paths: string[], become?: Become, host: { transport?: Transport; env?: Record<string, string> } = {}) => {
  let execs = 0;
  const inner = host.transport ?? localTransport();
  const counted = (script: string, opts?: ExecOptions) => {
    execs++;
    return inner.exec(script, opts);
  };
  const store = createFactStore({ ...inner, exec: counted }, () => ({ env: host.env }));
  const reader = store.reader(become);
  const wanted: FactRequest[] = paths.flatMap((p) => [request(fileStat, p), request(fileChecksum, p), request(fileContent, p)]);
  await reader.readAll([...wanted, request(identity, undefined)]).catch(() => undefined);
  const settled = <T>(p: Promise<T>) =>
    p.then(
      (v) => v as T | Error,
      (e: Error) => e,
    );
  const facts = await Promise.all(
    paths.map(async (p) => ({
      stat: await settled(reader.read(fileStat, p)),
      checksum: await settled(reader.read(fileChecksum, p)),
      content: await settled(reader.read(fileContent, p)),
    })),
  );
  return { facts, identity: await settled(reader.read(identity, undefined)), execs };
};

describe('the file probe: stat, checksum, content and identity in one script', () => {
  it('reads every fact right in one command, whatever a name or a content holds, small or big', async () => {
    const names = ['plain', 'two\nlines', 'quote\'s $x "q"', 'back\\slash', '-dash', 'ends in a newline\n', 'sp ace'];
    for (const name of names) await writeFile(join(dir, name), `content of ${name}\n`);
    const binary = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0, 0x80, 0xc3, 0x28]);
    await writeFile(join(dir, 'binary'), binary);
    // what the shell reads itself must come back byte for byte: no final newline, CRLF, blank lines, backslashes and
    // printf directives, UTF-8, bytes that are not UTF-8
    const texts: Record<string, string | Buffer> = {
      'no-newline': 'abc',
      crlf: 'a\r\nb\r\n',
      blank: '\n\n\n',
      escapes: 'a\\nb\\c %s %% -e\n  indented \t\n',
      utf8: 'héllo ✓\n',
      latin1: Buffer.from([0x68, 0xe9, 0x0a, 0xff]),
    };
    for (const [name, text] of Object.entries(texts)) await writeFile(join(dir, name), text);
    // big files are hashed on the host; one names the end marker a forger would need
    const big = randomBytes(HASHED_HERE_MAX + 1);
    const big2 = Buffer.concat([Buffer.alloc(3 * HASHED_HERE_MAX, '\n@@nop-'), Buffer.from('tar\0')]);
    await writeFile(join(dir, 'big'), big);
    await writeFile(join(dir, 'big\nsecond'), big2);
    await writeFile(join(dir, 'empty'), '');
    await symlink(join(dir, 'plain'), join(dir, 'link'));
    await mkdir(join(dir, 'a-dir'));
    const files = [...names, ...Object.keys(texts), 'binary', 'big', 'big\nsecond', 'empty'];
    const { facts, execs } = await probe([...files, 'link', 'a-dir', 'missing'].map((n) => join(dir, n)));
    expect(execs).toBe(1);
    for (const [i, name] of files.entries()) {
      const bytes = await readFile(join(dir, name));
      const { stat, checksum, content } = facts[i];
      expect(stat, name).toMatchObject({ path: join(dir, name), exists: true, type: 'file', size: bytes.length, mode: 0o644 });
      expect(checksum, name).toBe(sha256(bytes));
      expect(Buffer.isBuffer(content) && content.equals(bytes), name).toBe(true);
    }
    const [link, aDir, missing] = facts.slice(files.length);
    // a link: described itself, never hashed (copy replaces it), read through as its target
    expect(link).toEqual({
      stat: expect.objectContaining({ type: 'link', linkTarget: join(dir, 'plain') }),
      checksum: null,
      content: Buffer.from('content of plain\n'),
    });
    expect(aDir).toEqual({ stat: expect.objectContaining({ type: 'directory' }), checksum: null, content: null });
    expect(missing).toEqual({ stat: { path: join(dir, 'missing'), exists: false }, checksum: null, content: null });
  });

  // read as the unprivileged test user (test/setup/ensure-sshd.mjs), through sudo
  it('a file the reader cannot read is an error for its checksum and content, its stat is read, and the others too', async () => {
    await chmod(dir, 0o755);
    await writeFile(join(dir, 'secret'), 'x', { mode: 0o600 });
    await writeFile(join(dir, 'big-secret'), randomBytes(HASHED_HERE_MAX + 1), { mode: 0o600 });
    await writeFile(join(dir, 'open'), 'y', { mode: 0o644 });
    const { facts, identity: who } = await probe(
      ['secret', 'big-secret', 'open'].map((n) => join(dir, n)),
      { user: TEST_USERS.passwordless },
    );
    for (const secret of facts.slice(0, 2)) {
      expect(secret.stat).toMatchObject({ exists: true, type: 'file', mode: 0o600 });
      expect(String(secret.checksum)).toMatch(/cannot read .*secret: permission denied/);
      expect(String(secret.content)).toMatch(/cannot read .*secret: permission denied/);
    }
    expect(facts[2]).toMatchObject({ checksum: sha256(Buffer.from('y')), content: Buffer.from('y') });
    expect(who).toMatchObject({ user: TEST_USERS.passwordless });
  });
});

describe('the file probe where the host is unusual', () => {
  const files = async () => {
    await writeFile(join(dir, 'small'), 'small\n');
    await writeFile(join(dir, 'big'), randomBytes(HASHED_HERE_MAX + 1));
    await mkdir(join(dir, 'sub'));
    return ['small', 'big', 'sub', 'missing'].map((n) => join(dir, n));
  };
  const expectRight = async (facts: Awaited<ReturnType<typeof probe>>['facts']) => {
    for (const [i, name] of ['small', 'big'].entries()) {
      const bytes = await readFile(join(dir, name));
      expect(facts[i].stat).toMatchObject({ type: 'file', size: bytes.length });
      expect(facts[i].checksum).toBe(sha256(bytes));
      expect(Buffer.isBuffer(facts[i].content) && (facts[i].content as Buffer).equals(bytes)).toBe(true);
    }
    expect(facts[2]).toEqual({ stat: expect.objectContaining({ type: 'directory' }), checksum: null, content: null });
    expect(facts[3].stat).toEqual({ path: join(dir, 'missing'), exists: false });
  };

  // a launcher into a mount namespace without /proc (as a chroot may be): no /dev/fd for the sizes, no /proc/self
  it('reads every fact right without /proc: each file hashed on the host, the identity from id', async () => {
    const launcher = ['unshare', '--mount', '--propagation', 'private', '/bin/sh', '-c', 'umount -l /proc && exec "$0" "$@"'];
    const { facts, identity: who } = await probe(await files(), undefined, { transport: localTransport({ launcher }) });
    await expectRight(facts);
    expect(who).toMatchObject({ user: execFileSync('id', ['-un']).toString().trim() });
  });

  it('an environment that sets IFS changes nothing', async () => {
    await expectRight((await probe(await files(), undefined, { env: { IFS: '/' } })).facts);
  });

  it('a host without find: every stat is an error, no path looks absent', async () => {
    const bin = join(dir, 'bin');
    await mkdir(bin);
    for (const tool of ['tar', 'sha256sum', 'id'])
      await symlink(
        execFileSync('sh', ['-c', `command -v ${tool}`])
          .toString()
          .trim(),
        join(bin, tool),
      );
    const PATH = process.env.PATH;
    process.env.PATH = bin;
    try {
      const { facts, identity: who } = await probe(await files());
      for (const f of facts) expect(String(f.stat)).toMatch(/find printed nothing/);
      expect(who).toBeInstanceOf(Error);
    } finally {
      process.env.PATH = PATH;
    }
  });
});

describe('what the probe costs the host', () => {
  let counter: ProgramCounter;
  const PATH = process.env.PATH;
  beforeEach(async () => {
    counter = await programCounter();
    process.env.PATH = counter.path;
  });
  afterEach(async () => {
    process.env.PATH = PATH;
    await counter.cleanup();
  });

  it('one find for small text files; tar for the others, in one archive; one sha256sum for all big files to checksum', async () => {
    for (const n of ['a', 'b', 'c']) await writeFile(join(dir, n), n);
    await probe(['a', 'b', 'c'].map((n) => join(dir, n)));
    expect((await counter.programs()).sort()).toEqual(['find']);
    // a NUL byte (the shell would drop it), and more than the shell reads per probe
    await writeFile(join(dir, 'nul'), Buffer.from([0x61, 0, 0x62]));
    for (const n of ['d', 'e']) await writeFile(join(dir, n), 'x'.repeat(READ_BY_SHELL_MAX / 2));
    await counter.reset();
    const { facts } = await probe(['a', 'nul', 'd', 'e'].map((n) => join(dir, n)));
    expect((await counter.programs()).sort()).toEqual(['find', 'tar']);
    for (const [i, n] of ['a', 'nul', 'd', 'e'].entries()) expect(facts[i].checksum, n).toBe(sha256(await readFile(join(dir, n))));
    expect(facts[1].content).toEqual(Buffer.from([0x61, 0, 0x62]));
    for (const n of ['x', 'y']) await writeFile(join(dir, n), randomBytes(HASHED_HERE_MAX + 1));
    await counter.reset();
    await probe(['a', 'x', 'b', 'y'].map((n) => join(dir, n)));
    expect((await counter.programs()).sort()).toEqual(['find', 'sha256sum', 'tar']);
  });

  // command substitution drops the newlines that end find's last line: that line is always find's own (/ or
  // /proc/self/), never a file's whose name ends in a newline
  it('a small file whose name ends in a newline is matched to its size and read by the shell, right', async () => {
    const names = ['a', 'ends in a newline\n'];
    for (const n of names) await writeFile(join(dir, n), `small ${n}`);
    const store = createFactStore(localTransport()).reader(undefined);
    const paths = names.map((n) => join(dir, n));
    await store.readAll(paths.map((p) => request(fileChecksum, p)));
    expect(await Promise.all(paths.map((p) => store.read(fileChecksum, p)))).toEqual(names.map((n) => sha256(Buffer.from(`small ${n}`))));
    expect((await counter.programs()).sort()).toEqual(['find']);
  });
});
