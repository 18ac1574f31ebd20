import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localTransport } from '../../lib/transport/local.js';
import { type HostOp, opBatch } from '../../lib/transport/op-batch.js';
import { programCounter } from '../helpers/program-counter.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-batch-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const put = (name: string, text: string, mode = 0o644, size = Buffer.byteLength(text)): HostOp => ({
  kind: 'put',
  dest: join(dir, name),
  content: { bytes: Buffer.from(text) },
  size,
  opts: { mode },
});

const send = async (ops: HostOp[], tail?: string) => {
  const batch = opBatch(ops, tail === undefined ? undefined : { script: tail });
  return batch.parse(await localTransport().exec(batch.script, { stdin: batch.stdin }));
};

describe('a batch of changes in one command', () => {
  it('runs them in order, with their modes, and stops at the first that fails with that one’s own message', async () => {
    const outcome = await send([
      { kind: 'script', script: `mkdir ${join(dir, 'd')}` },
      put('d/a', 'alpha\n', 0o600),
      put('d/x', 'exe\n', 0o755),
      { kind: 'script', script: `echo noise; mkdir ${join(dir, 'd')}` },
      put('d/never', 'no'),
    ]);
    expect(outcome.done).toBe(3);
    expect(outcome.failure?.code).toBe(1);
    expect(outcome.failure?.stderr).toMatch(/^mkdir: cannot create directory .*: File exists\n?$/);
    expect(await readFile(join(dir, 'd', 'a'), 'utf8')).toBe('alpha\n');
    expect((await stat(join(dir, 'd', 'a'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'd', 'x'))).mode & 0o777).toBe(0o755);
    expect((await readdir(join(dir, 'd'))).sort()).toEqual(['a', 'x']);
  });

  it('content that is not the size announced fails its write, leaves no temp file and keeps the original', async () => {
    await writeFile(join(dir, 'kept'), 'original');
    for (const size of [3, 30]) {
      const outcome = await send([put('kept', 'fourteen bytes', 0o644, size), put('after', 'x')]);
      expect(outcome.done).toBe(0);
      expect(outcome.failure?.stderr).toMatch(/size check failed/);
      expect(await readdir(dir)).toEqual(['kept']);
      expect(await readFile(join(dir, 'kept'), 'utf8')).toBe('original');
    }
  });

  it('installs content staged beside its destination: size checked, mode set; a batch that stops first removes it', async () => {
    const staged = async (name: string, text: string, size = Buffer.byteLength(text)): Promise<HostOp> => {
      const tmp = join(dir, `.${name}.nop-0123456789ab`);
      await writeFile(tmp, text, { mode: 0o600 });
      return { kind: 'install', dest: join(dir, name), tmp, size, opts: { mode: 0o640 } };
    };
    await writeFile(join(dir, 'kept'), 'original');
    const installed = await send([await staged('new', 'staged\n'), await staged('kept', 'short', 9), await staged('later', 'never')]);
    expect(installed.done).toBe(1);
    expect(installed.failure?.stderr).toMatch(/size check failed: 5 bytes written, 9 expected/);
    expect(await readFile(join(dir, 'new'), 'utf8')).toBe('staged\n');
    expect((await stat(join(dir, 'new'))).mode & 0o777).toBe(0o640);
    expect(await readFile(join(dir, 'kept'), 'utf8')).toBe('original');
    // the temp of the failed install and of the one never reached are gone
    expect((await readdir(dir)).sort()).toEqual(['kept', 'new']);
  });

  // a first run's small files cost the host no process but their rename (test/runner/round-trips.test.ts)
  it('writes small text with the shell itself, byte for byte; other content with head', async () => {
    const byShell = {
      empty: '',
      'no-newline': 'last line',
      newline: 'a\n',
      blank: '\n\n\n',
      quoting: '  lead and trail  \n\ttab\\back\\slash\\n %s %d $HOME `id` "q" \'s\' -n -e\n-\n',
      'like-a-marker': '@@nop-0123456789abcdef-P0\n@@nop-0123456789abcdef-E0 0',
      'largest-in-shell': `${'x'.repeat(1023)}y`,
    };
    const byHead = { larger: 'x'.repeat(1025), 'not-ascii': 'grüße\n', cr: 'windows\r\n', nul: 'a\0b', escape: '\x1b[0m\n' };
    const counter = await programCounter();
    const PATH = process.env.PATH;
    process.env.PATH = counter.path;
    try {
      const all = { ...byShell, ...byHead };
      const outcome = await send(Object.entries(all).map(([name, text]) => put(name, text, 0o640)));
      expect(outcome).toEqual({ done: Object.keys(all).length });
      const programs = await counter.programs();
      expect(programs.filter((p) => p === 'head')).toHaveLength(Object.keys(byHead).length);
      expect(programs.filter((p) => p !== 'head' && p !== 'mv')).toEqual([]);
      for (const [name, text] of Object.entries(all)) {
        expect(await readFile(join(dir, name), 'latin1'), name).toBe(Buffer.from(text).toString('latin1'));
        expect((await stat(join(dir, name))).mode & 0o777).toBe(0o640);
      }
    } finally {
      process.env.PATH = PATH;
      await counter.cleanup();
    }
  });

  it('small text cut off on its way (an interrupted sender) is not written: no temp file, the original kept', async () => {
    await writeFile(join(dir, 'kept'), 'original');
    for (const text of ['one\ntwo\nthree\n', 'one\ntwo']) {
      const batch = opBatch([put('kept', text), put('after', 'x')]);
      const stdin = Buffer.from(batch.stdin as Buffer);
      for (const cut of [0, 4, Buffer.byteLength(text) - 1]) {
        const outcome = batch.parse(await localTransport().exec(batch.script, { stdin: stdin.subarray(0, cut) }));
        expect(outcome.done).toBe(0);
        expect(outcome.failure?.stderr).toMatch(/size check failed: the content of \d+ bytes did not arrive whole/);
        expect(await readdir(dir)).toEqual(['kept']);
        expect(await readFile(join(dir, 'kept'), 'utf8')).toBe('original');
      }
    }
  });

  it('a read riding along gets its own output and status, after the changes', async () => {
    const outcome = await send([put('f', 'hello')], `cat ${join(dir, 'f')}; echo oops >&2; exit 3`);
    expect(outcome).toEqual({ done: 1, tail: { code: 3, stdout: 'hello', stderr: 'oops\n' } });
  });
});
