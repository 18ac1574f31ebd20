import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshTransport } from '../../lib/transport/ssh.js';
import type { Transport } from '../../lib/transport/transport.js';
import { NOPPASS_PASSWORD, startSshdHosts, TEST_USERS, type SshdFleet, type SshdHost } from '../helpers/sshd.js';

let fleet: SshdFleet;
let host: SshdHost;
let asNoptest: Transport;
let asNoppass: Transport;
let rootDir: string;

const login = (user: string) =>
  sshTransport({ host: host.address, port: host.port, user, privateKeyPath: fleet.clientKey, knownHostsPath: fleet.knownHostsPath });

beforeAll(async () => {
  fleet = await startSshdHosts(1);
  host = fleet.hosts[0];
  asNoptest = await login(TEST_USERS.passwordless);
  asNoppass = await login(TEST_USERS.withPassword);
  rootDir = `${host.workDir}/root-only`;
  await asNoptest.exec(`mkdir -m 700 ${rootDir}`, { become: { user: 'root' } });
});

afterAll(async () => {
  await asNoptest?.close();
  await asNoppass?.close();
  await fleet?.stopAll();
});

const root = { user: 'root' };
const rootWithPassword = { user: 'root', password: NOPPASS_PASSWORD };

describe('become with passwordless sudo (noptest → root)', () => {
  it('runs commands as root, with env, cwd and stdin', async () => {
    expect((await asNoptest.exec('id -un')).stdout.trim()).toBe('noptest');
    const res = await asNoptest.exec('echo "$(id -un) $NOP_X $(pwd)"; cat', {
      become: root,
      env: { NOP_X: 'kept through sudo' },
      cwd: rootDir,
      stdin: 'from stdin',
    });
    expect(res).toEqual({ code: 0, stdout: `root kept through sudo ${rootDir}\nfrom stdin`, stderr: '' });
  });

  it('writes into a directory only root can enter, with mode and owner, and reads it back', async () => {
    const dest = `${rootDir}/config.toml`;
    await expect(asNoptest.put(dest, 'x')).rejects.toThrow(/cannot write/);
    await asNoptest.put(dest, 'key = "value"\n', { become: root, mode: 0o640, owner: 'root', group: 'noptest' });
    const stat = await asNoptest.exec(`stat -c '%a %U %G' ${dest}`, { become: root });
    expect(stat.stdout.trim()).toBe('640 root noptest');
    expect((await asNoptest.get(dest, { become: root })).toString()).toBe('key = "value"\n');
    await expect(asNoptest.get(dest)).rejects.toThrow(/cannot read/);
    const leftovers = await asNoptest.exec(`ls -A ${rootDir}; ls -A /tmp | grep -c '^\\.nop-stage-' || true`, { become: root });
    expect(leftovers.stdout).toBe('config.toml\n0\n');
  });

  it('fails without hanging when sudo would need a password', async () => {
    const res = await asNoppass.exec('id -un', { become: root });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/password/i);
  });
});

describe('become with a sudo password (noppass → root)', () => {
  it('sends the password on stdin only: not in any process command line', async () => {
    const res = await asNoppass.exec('id -un; ps -eww -o args', { become: rootWithPassword });
    expect(res.code).toBe(0);
    expect(res.stdout.split('\n')[0]).toBe('root');
    expect(res.stdout).toMatch(/sudo -S/);
    expect(res.stdout).not.toContain(NOPPASS_PASSWORD);
  });

  it('passes the caller stdin after the password line', async () => {
    const res = await asNoppass.exec('cat', { become: rootWithPassword, stdin: 'payload\nsecond line\n' });
    expect(res).toEqual({ code: 0, stdout: 'payload\nsecond line\n', stderr: '' });
  });

  it('puts and gets files as root', async () => {
    const dest = `${rootDir}/with-password.txt`;
    await asNoppass.put(dest, 'pw', { become: rootWithPassword, mode: 0o600 });
    expect((await asNoppass.get(dest, { become: rootWithPassword })).toString()).toBe('pw');
  });

  it('reports a wrong password as a failed command', async () => {
    const res = await asNoppass.exec('id -un', { become: { user: 'root', password: 'wrong' } });
    expect(res.code).not.toBe(0);
    expect(res.stdout).toBe('');
  });
});
