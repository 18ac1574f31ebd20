import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localTransport } from '../../lib/transport/local.js';
import { type HostOp, opBatch } from '../../lib/transport/op-batch.js';

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

  it('a read riding along gets its own output and status, after the changes', async () => {
    const outcome = await send([put('f', 'hello')], `cat ${join(dir, 'f')}; echo oops >&2; exit 3`);
    expect(outcome).toEqual({ done: 1, tail: { code: 3, stdout: 'hello', stderr: 'oops\n' } });
  });
});
