import keyParser from 'ssh2/lib/protocol/keyParser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connectTransport } from '../../lib/transport/connect.js';
import { createIdentityStore } from '../../lib/transport/identity-store.js';
import { sshTransport } from '../../lib/transport/ssh.js';
import { UnreachableError } from '../../lib/transport/transport.js';
import { NOPPASS_PASSWORD, startSshdHosts, TEST_USERS, type SshdFleet, type SshdHost } from '../helpers/sshd.js';

let fleet: SshdFleet;
let host: SshdHost;

beforeAll(async () => {
  fleet = await startSshdHosts(1);
  host = fleet.hosts[0];
});

afterAll(async () => {
  await fleet?.stopAll();
});

const sshVars = (extra: Record<string, unknown> = {}) => ({
  ansible_host: host.address,
  ansible_port: host.port,
  ansible_user: TEST_USERS.withPassword,
  ansible_ssh_private_key_file: fleet.clientKey,
  nop_known_hosts_file: fleet.knownHostsPath,
  ...extra,
});

describe('connectTransport', () => {
  it('uses the local transport for localhost and for ansible_connection=local', async () => {
    expect((await connectTransport('localhost', {})).kind).toBe('local');
    const local = await connectTransport('gpu1', { ansible_connection: 'local' });
    expect(local.kind).toBe('local');
    expect((await local.exec('echo here')).stdout).toBe('here\n');
  });

  it('connects over ssh from the Ansible variables', async () => {
    const t = await connectTransport('gpu1', sshVars());
    try {
      expect(t.kind).toBe('ssh');
      expect((await t.exec('id -un')).stdout).toBe('noppass\n');
      expect(typeof t.forward).toBe('function');
    } finally {
      await t.close();
    }
  });

  it('fills in ansible_become_password', async () => {
    const t = await connectTransport('gpu1', sshVars({ ansible_become_password: NOPPASS_PASSWORD }));
    try {
      expect((await t.exec('id -un', { become: { user: 'root' } })).stdout).toBe('root\n');
      await t.put(`${host.workDir}/by-root`, 'x', { become: { user: 'root' } });
      expect((await t.get(`${host.workDir}/by-root`, { become: { user: 'root' } })).toString()).toBe('x');
    } finally {
      await t.close();
    }
  });

  // only commands that never finish meet the run-wide limit: a slow machine cannot make a quick one trip it
  it('applies the run-wide command timeout, which a task timeout overrides', async () => {
    const t = await connectTransport('gpu1', sshVars(), { commandTimeoutMs: 1000 });
    try {
      expect((await t.exec('sleep 600')).code).toBe(124);
      expect((await t.exec('sleep 2', { timeoutMs: 600_000 })).code).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('uses the run-wide become password when the inventory has none', async () => {
    const t = await connectTransport('gpu1', sshVars(), { becomePassword: NOPPASS_PASSWORD });
    try {
      expect((await t.exec('id -un', { become: { user: 'root' } })).stdout).toBe('root\n');
    } finally {
      await t.close();
    }
  });

  it('rejects invalid connection variables and reports unreachable hosts', async () => {
    await expect(connectTransport('gpu1', { ansible_connection: 'winrm' })).rejects.toThrow(/ansible_connection/);
    await expect(connectTransport('gpu1', sshVars({ ansible_port: 'ssh' }))).rejects.toThrow(/ansible_port/);
    await expect(connectTransport('gpu1', sshVars({ ansible_port: 1 }))).rejects.toBeInstanceOf(UnreachableError);
  });

  it("shares one run's parsed keys between connections, skipping an encrypted and a missing key file before the one that works", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nop-identity-'));
    try {
      const encrypted = join(dir, 'encrypted');
      await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'a passphrase', '-C', '', '-f', encrypted]);
      // the ssh config lists the keys tried after the explicit one (here: the encrypted one, then a missing file)
      const config = join(dir, 'config');
      await writeFile(config, `IdentityFile ${join(dir, 'missing')}\nIdentityFile ${fleet.clientKey}\n`);
      const identities = createIdentityStore();
      const open = () =>
        sshTransport({
          host: host.address,
          port: host.port,
          user: TEST_USERS.withPassword,
          privateKeyPath: encrypted,
          sshConfigPath: config,
          knownHostsPath: fleet.knownHostsPath,
          identities,
        });
      const [a, b] = await Promise.all([open(), open()]);
      try {
        expect((await a.exec('id -un')).stdout).toBe('noppass\n');
        expect((await b.exec('id -un')).stdout).toBe('noppass\n');
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
      expect(Buffer.isBuffer(await identities.key(fleet.clientKey, (bytes) => keyParser.parseKey(bytes)))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
