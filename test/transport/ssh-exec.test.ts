import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshTransport } from '../../lib/transport/ssh.js';
import type { Transport } from '../../lib/transport/transport.js';
import { startSshdHosts, TEST_USERS, type SshdFleet, type SshdHost } from '../helpers/sshd.js';

let fleet: SshdFleet;
let host: SshdHost;
let t: Transport;
let localDir: string;

beforeAll(async () => {
  fleet = await startSshdHosts(1);
  host = fleet.hosts[0];
  localDir = await mkdtemp(join(tmpdir(), 'nop-ssh-exec-'));
  t = await sshTransport({
    host: host.address,
    port: host.port,
    // not root: a login shell that is bash would source root's ~/.bashrc on every command
    user: TEST_USERS.passwordless,
    privateKeyPath: fleet.clientKey,
    knownHostsPath: fleet.knownHostsPath,
  });
});

afterAll(async () => {
  await t?.close();
  await fleet?.stopAll();
  if (localDir) await rm(localDir, { recursive: true, force: true });
});

const remote = (name: string) => join(host.workDir, name);

describe('ssh exec', () => {
  it('returns stdout, stderr and the exit code as a result', async () => {
    expect(await t.exec('echo hi; echo err >&2; exit 3')).toEqual({ code: 3, stdout: 'hi\n', stderr: 'err\n' });
  });

  it('with binary, keeps stdout’s exact bytes beside its text', async () => {
    const res = await t.exec("printf 'a\\377\\000\\303\\n'", { binary: true });
    expect(res.stdoutBytes).toEqual(Buffer.from([0x61, 0xff, 0, 0xc3, 0x0a]));
    expect(res.stdout).toBe(res.stdoutBytes?.toString());
  });

  it('feeds stdin, then closes it', async () => {
    expect((await t.exec('cat; echo end', { stdin: 'line one\nline two' })).stdout).toBe('line one\nline twoend\n');
    expect((await t.exec('wc -c', { stdin: Buffer.alloc(100_000, 1) })).stdout.trim()).toBe('100000');
  });

  it('exports env values inside the script, quoted', async () => {
    const value = `a b'c"$HOME;\`x\``;
    const res = await t.exec('printf %s "$NOP_VALUE"', { env: { NOP_VALUE: value } });
    expect(res.stdout).toBe(value);
  });

  it('runs in cwd', async () => {
    expect((await t.exec('pwd', { cwd: host.workDir })).stdout.trim()).toBe(host.workDir);
    expect((await t.exec('pwd', { cwd: join(host.workDir, 'missing') })).code).not.toBe(0);
  });

  it('reports a command killed by a signal as 128+n', async () => {
    expect((await t.exec('kill -TERM $$')).code).toBe(143);
  });

  it('times a command out: code 124, "command timed out", and the process is gone', async () => {
    const res = await t.exec('echo started; sleep 31.5', { timeoutMs: 300 });
    expect(res.code).toBe(124);
    expect(res.stdout).toBe('started\n');
    expect(res.stderr).toMatch(/command timed out/);
    expect((await t.exec('pgrep -f "sleep 31\\.5"')).code).toBe(1);
  });

  it('keeps the real result of a command that finishes before its timeout', async () => {
    expect(await t.exec('echo quick; exit 5', { timeoutMs: 30_000 })).toEqual({ code: 5, stdout: 'quick\n', stderr: '' });
  });

  it('runs many commands at once over the one connection', async () => {
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => t.exec(`sleep 0.1; echo ${i}`)));
    expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 25 }, (_, i) => String(i)));
    expect((await t.exec('echo $PPID')).code).toBe(0);
  });
});

describe('ssh put/get', () => {
  it('writes content with the requested mode and reads it back', async () => {
    const dest = remote('secret.txt');
    await t.put(dest, 'top secret\n', { mode: 0o600 });
    expect((await t.exec(`stat -c %a ${dest}`)).stdout.trim()).toBe('600');
    expect((await t.get(dest)).toString()).toBe('top secret\n');
    await t.put(dest, Buffer.from('replaced'), { mode: 0o640 });
    expect((await t.get(dest)).toString()).toBe('replaced');
    expect((await t.exec(`stat -c %a ${dest}`)).stdout.trim()).toBe('640');
  });

  it('defaults to 0644 and applies owner and group', async () => {
    const dest = remote('owned.txt');
    await t.put(dest, 'x');
    expect((await t.exec(`stat -c '%a %U %G' ${dest}`)).stdout.trim()).toBe('644 noptest noptest');
    await t.put(dest, 'y', { owner: 'noppass', group: 'noppass', become: { user: 'root' } });
    expect((await t.exec(`stat -c '%a %U %G' ${dest}`)).stdout.trim()).toBe('644 noppass noppass');
  });

  it('fails clearly and leaves no temp file when the directory does not exist', async () => {
    await expect(t.put(remote('nodir/file'), 'x')).rejects.toThrow(/cannot write .*nodir\/file/);
    await expect(t.get(remote('nothing-here'))).rejects.toThrow(/cannot read/);
  });

  it('streams a 50 MB file that is never visible half-written, verified by sha256 on the host', async () => {
    const local = join(localDir, 'big.bin');
    const content = Buffer.alloc(50 * 1024 * 1024);
    for (let i = 0; i < content.length; i += 4096) content.writeUInt32BE(i, i);
    await writeFile(local, content);
    const dest = remote('big.bin');
    await t.put(dest, 'old');
    let done = false;
    const upload = t.putFile(dest, local, { mode: 0o600 }).finally(() => (done = true));
    const seenSizes = new Set<string>();
    const seenTemps = new Set<string>();
    while (!done) {
      const res = await t.exec(`stat -c %s ${dest}; ls -A ${host.workDir}`);
      const [size, ...names] = res.stdout.trim().split('\n');
      seenSizes.add(size);
      names.filter((n) => n.startsWith('.big.bin.nop-')).forEach((n) => seenTemps.add(n));
    }
    await upload;
    const sha = createHash('sha256').update(content).digest('hex');
    expect((await t.exec(`sha256sum ${dest}`)).stdout.split(' ')[0]).toBe(sha);
    expect([...seenSizes].every((s) => s === '3' || s === String(content.length))).toBe(true);
    expect((await t.exec(`stat -c %a ${dest}; ls -A ${host.workDir} | grep -c nop- || true`)).stdout).toBe('600\n0\n');
    expect(seenTemps.size).toBeLessThanOrEqual(1);
  });
});

describe('ssh forward', () => {
  let server: Server;
  afterAll(() => server?.close());

  it('opens a TCP stream to an address as seen from the host', async () => {
    server = createServer((socket) => socket.end('hello from the host loopback\n'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const stream = await t.forward!('127.0.0.1', port);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('hello from the host loopback\n');
  });
});
