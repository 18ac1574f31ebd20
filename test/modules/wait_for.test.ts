import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitForModule } from '../../lib/modules/builtin/wait_for.js';
import { makeTempDir, removeDir, runModule, shimEnv, writeShim } from './helpers.js';
import { startServer, type TestServer } from './http-server.js';

let dir: string;
let server: TestServer;
beforeEach(async () => {
  dir = await makeTempDir();
  server = await startServer((_req, res) => void res.end());
});
afterEach(async () => {
  await server.close();
  await removeDir(dir);
});

const portOf = (s: TestServer) => Number(new URL(s.url).port);

const closedPort = async (): Promise<number> => {
  const s = await startServer((_req, res) => void res.end());
  await s.close();
  return portOf(s);
};

describe('wait_for', () => {
  it('returns once a port accepts connections, changing nothing', async () => {
    const res = await runModule(waitForModule, { port: portOf(server), timeout: 10 });
    expect(res).toMatchObject({ changed: false, port: portOf(server), state: 'started' });
    expect(res.failed).toBeUndefined();
    expect(typeof res.elapsed).toBe('number');
  });

  it("times out on a closed port with Ansible's message, and sees it as stopped", async () => {
    const port = await closedPort();
    const res = await runModule(waitForModule, { port, timeout: 1, connect_timeout: 1 });
    expect(res).toMatchObject({ failed: true, changed: false, msg: `Timeout when waiting for 127.0.0.1:${port}` });
    expect((await runModule(waitForModule, { port, state: 'stopped', timeout: 5 })).failed).toBeUndefined();
  });

  it('prefers nc when the host has it', async () => {
    const logs = join(dir, 'logs');
    await mkdir(logs);
    // stands in for nc -z -w <t> <host> <port>
    const bin = await writeShim(dir, 'nc', `echo "$*" >> "$LOGS/nc"\nexec bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$4" "$5"`);
    const res = await runModule(waitForModule, { port: portOf(server), timeout: 10 }, { env: { ...shimEnv(bin), LOGS: logs } });
    expect(res.failed).toBeUndefined();
    expect(await readFile(join(logs, 'nc'), 'utf8')).toBe(`-z -w 5 127.0.0.1 ${portOf(server)}\n`);
  });

  it('waits for a file and a pattern in it', async () => {
    const path = join(dir, 'node.log');
    setTimeout(() => void writeFile(path, 'starting\n'), 300);
    setTimeout(() => void writeFile(path, 'starting\nstate sync done at height 1200\n'), 600);
    const res = await runModule(waitForModule, { path, search_regex: 'height [0-9]+', timeout: 20 });
    expect(res.failed).toBeUndefined();
    expect(await readFile(path, 'utf8')).toContain('height 1200');
    // as Ansible's: the other target null, the path described as it is now (state is its kind)
    expect(res).toMatchObject({ changed: false, path, port: null, search_regex: 'height [0-9]+', state: 'file', size: (await stat(path)).size });
  });

  it('waits for a file to go away, or fails naming it', async () => {
    const path = join(dir, 'lock');
    await writeFile(path, '');
    const stuck = await runModule(waitForModule, { path, state: 'absent', timeout: 1 });
    expect(stuck).toMatchObject({ failed: true, msg: `Timeout when waiting for ${path} to be absent` });
    expect(await runModule(waitForModule, { path: join(dir, 'never'), state: 'absent', timeout: 1 })).not.toHaveProperty('failed');
  });

  it('is skipped in check mode', async () => {
    const res = await runModule(waitForModule, { port: await closedPort(), timeout: 1 }, { check: true });
    expect(res).toMatchObject({ skipped: true, changed: false });
  });

  it('needs exactly one of port and path', () => {
    expect(() => waitForModule.args.parse({ timeout: 1 })).toThrow(/exactly one/);
    expect(() => waitForModule.args.parse({ port: 1, search_regex: 'x' })).toThrow(/search_regex/);
  });
});
