import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installScript, tempName } from '../../lib/transport/atomic-write.js';
import { localTransport } from '../../lib/transport/local.js';

let dir: string;
const t = localTransport();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-install-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

// The script every write through a command runs (become, a launcher): it must refuse what did not fully arrive.
describe('install script', () => {
  it('installs exactly the bytes it was told about, with the mode, then leaves no temp file', async () => {
    const dest = join(dir, 'ok.txt');
    const res = await t.exec(installScript({ dest, tmp: tempName(dest), size: 5, opts: { mode: 0o600 } }), { stdin: 'hello' });
    expect(res).toMatchObject({ code: 0, stderr: '' });
    expect(await readFile(dest, 'utf8')).toBe('hello');
    expect((await stat(dest)).mode & 0o777).toBe(0o600);
  });

  it('refuses a short stream (the sender was cut off): the original stays, the temp file goes', async () => {
    const dest = join(dir, 'kept.txt');
    await writeFile(dest, 'original');
    const res = await t.exec(installScript({ dest, tmp: tempName(dest), size: 10, opts: {} }), { stdin: 'cut' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/size check failed: 3 bytes written, 10 expected/);
    expect(await readFile(dest, 'utf8')).toBe('original');
    expect((await readdir(dir)).filter((n) => n.includes('.nop-'))).toEqual([]);
  });
});
