import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localTransport } from '../../lib/transport/local.js';
import { TEST_USERS } from '../helpers/sshd.js';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-launcher-'));
  await chmod(dir, 0o755);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const temps = async (path: string) => (await readdir(path)).filter((n) => n.includes('.nop-'));

describe('local transport with a launcher: commands', () => {
  it('runs every command as `launcher… /bin/sh -c SCRIPT`', async () => {
    const t = localTransport({ launcher: ['env', 'NOP_LAUNCHED=yes'] });
    const res = await t.exec('printf "%s|%s|" "$NOP_LAUNCHED" "$(pwd)"; cat', { cwd: dir, stdin: 'in' });
    expect(res).toEqual({ code: 0, stdout: `yes|${dir}|in`, stderr: '' });
    expect((await localTransport().exec('printf %s "$NOP_LAUNCHED"')).stdout).toBe('');
  });

  it('sends file operations through the launcher, the content on stdin and never on its command line', async () => {
    const log = join(dir, 'launcher.log');
    const wrapper = join(dir, 'wrapper.sh');
    // the wrapper records its arguments, then runs them
    await writeFile(wrapper, `#!/bin/sh\nprintf '%s\\n' "$*" >> ${log}\nexec "$@"\n`, { mode: 0o755 });
    const t = localTransport({ launcher: [wrapper] });
    const dest = join(dir, 'via-wrapper.txt');
    const src = join(dir, 'via-wrapper.src');
    await writeFile(src, 'streamed-secret-content');
    await t.put(dest, 'inline-secret-content', { mode: 0o600 });
    expect((await t.get(dest)).toString()).toBe('inline-secret-content');
    await t.putFile(dest, src, { mode: 0o640 });
    expect(await readFile(dest, 'utf8')).toBe('streamed-secret-content');
    expect((await stat(dest)).mode & 0o777).toBe(0o640);
    const lines = (await readFile(log, 'utf8')).trim().split('\n');
    expect(lines.filter((l) => l.startsWith('/bin/sh -c '))).toHaveLength(3);
    expect(lines.join('\n')).not.toMatch(/secret-content/);
    expect(await temps(dir)).toEqual([]);
  });
});

// A launcher entering its own mount namespace, where `view` shows the directory `real`: what this process sees
// at `view` stays empty, so every operation that works proves it went through the launcher.
describe.skipIf(!isRoot)('local transport with a launcher into another file system (needs root: mount namespace)', () => {
  let real: string;
  let view: string;
  const launcher = () => ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$1" "$2" && shift 2 && exec "$@"', 'launch', real, view];

  beforeAll(async () => {
    real = join(dir, 'real');
    view = join(dir, 'view');
    await mkdir(real, { mode: 0o777 });
    await mkdir(view);
    await chmod(real, 0o777);
  });

  it('puts, streams and gets files inside the launched view, atomically, with mode and owner', async () => {
    const t = localTransport({ launcher: launcher() });
    await t.put(join(view, 'a.txt'), 'one\n', { mode: 0o640, owner: TEST_USERS.passwordless });
    expect(await readFile(join(real, 'a.txt'), 'utf8')).toBe('one\n');
    const st = await stat(join(real, 'a.txt'));
    expect(st.mode & 0o777).toBe(0o640);
    expect(st.uid).toBe(Number((await run('id', ['-u', TEST_USERS.passwordless])).stdout.trim()));
    const big = Buffer.alloc(3 * 1024 * 1024 + 7, 0x5a);
    const src = join(dir, 'big.bin');
    await writeFile(src, big);
    await t.putFile(join(view, 'big.bin'), src);
    expect((await readFile(join(real, 'big.bin'))).equals(big)).toBe(true);
    expect((await t.get(join(view, 'big.bin'))).equals(big)).toBe(true);
    expect(await readdir(view)).toEqual([]);
    expect(await temps(real)).toEqual([]);
  });

  it('writes as the become user inside the launched view', async () => {
    const t = localTransport({ launcher: launcher() });
    await t.put(join(view, 'by-noptest.txt'), 'x', { become: { user: TEST_USERS.passwordless } });
    const st = await stat(join(real, 'by-noptest.txt'));
    expect(st.uid).toBe(Number((await run('id', ['-u', TEST_USERS.passwordless])).stdout.trim()));
    expect((await t.get(join(view, 'by-noptest.txt'), { become: { user: TEST_USERS.passwordless } })).toString()).toBe('x');
  });

  it('fails naming the errno, and leaves no temp file, when the write cannot happen', async () => {
    const t = localTransport({ launcher: launcher() });
    await expect(t.put(join(view, 'missing-dir', 'f'), 'x')).rejects.toThrow(/cannot write .*missing-dir\/f: .*(nonexistent|No such file)/);
    await expect(t.get(join(view, 'missing'))).rejects.toThrow(/cannot read .*missing: .*No such file/);
    expect(await temps(real)).toEqual([]);
  });
});
