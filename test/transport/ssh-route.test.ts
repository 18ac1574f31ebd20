import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectTransport } from '../../lib/transport/connect.js';
import { sshTransport } from '../../lib/transport/ssh.js';
import { UnreachableError, type Transport } from '../../lib/transport/transport.js';
import { startSshdHosts, type SshdFleet } from '../helpers/sshd.js';

let fleet: SshdFleet;
const open: Transport[] = [];
const keep = (t: Transport) => (open.push(t), t);

beforeAll(async () => {
  fleet = await startSshdHosts(3);
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
  await Promise.all(fleet.hosts.map((h) => h.start()));
});

afterAll(async () => {
  await fleet?.stopAll();
});

// jump hosts only forward TCP, so logging into them as root runs no shell
const hop = (i: number) => `root@${fleet.hosts[i].address}:${fleet.hosts[i].port}`;

describe('ProxyJump', () => {
  it('reaches host 2 through host 1: the connection depends on host 1', async () => {
    const [h1, h2] = fleet.hosts;
    const t = keep(
      await sshTransport({
        host: h2.address,
        port: h2.port,
        user: 'noptest',
        proxyJump: hop(0),
        privateKeyPath: fleet.clientKey,
        knownHostsPath: fleet.knownHostsPath,
      }),
    );
    expect((await t.exec('echo through')).stdout).toBe('through\n');
    await h1.stop();
    await expect(t.exec('echo again')).rejects.toBeInstanceOf(UnreachableError);
  });

  it('follows a chain of hops given in ansible_ssh_common_args', async () => {
    const [, h2, h3] = fleet.hosts;
    const t = keep(
      await connectTransport('gpu', {
        ansible_host: h3.address,
        ansible_port: String(h3.port),
        ansible_user: 'noptest',
        ansible_ssh_private_key_file: fleet.clientKey,
        ansible_ssh_common_args: `-o StrictHostKeyChecking=yes -o ProxyJump=${hop(0)},${hop(1)}`,
        nop_known_hosts_file: fleet.knownHostsPath,
      }),
    );
    expect((await t.exec('id -un')).stdout).toBe('noptest\n');
    await h2.stop();
    await expect(t.exec('id -un')).rejects.toBeInstanceOf(UnreachableError);
  });

  it('verifies the jump host key too', async () => {
    const [h1, h2] = fleet.hosts;
    const withoutJump = join(fleet.dir, 'known_hosts_without_host1');
    const lines = (await readFile(fleet.knownHostsPath, 'utf8')).split('\n');
    await writeFile(withoutJump, lines.filter((l) => !l.startsWith(`[${h1.address}]`)).join('\n'));
    const err = await sshTransport({
      host: h2.address,
      port: h2.port,
      user: 'noptest',
      proxyJump: hop(0),
      privateKeyPath: fleet.clientKey,
      knownHostsPath: withoutJump,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as Error).message).toContain(`unknown host key for [${h1.address}]:${h1.port}`);
  });
});

describe('~/.ssh/config', () => {
  const savedHome = process.env.HOME;
  let home: string;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'nop-home-'));
    const [h1, h2] = fleet.hosts;
    await mkdir(join(home, '.ssh'), { mode: 0o700 });
    await copyFile(fleet.clientKey, join(home, '.ssh', 'id_nop'));
    await copyFile(fleet.knownHostsPath, join(home, '.ssh', 'fleet_known_hosts'));
    await writeFile(
      join(home, '.ssh', 'config'),
      [
        'Host gpu-*',
        `  HostName ${h2.address}`,
        `  Port ${h2.port}`,
        '  User noptest',
        '  ProxyJump bastion',
        'Host bastion',
        `  HostName ${h1.address}`,
        `  Port ${h1.port}`,
        '  User root',
        'Host *',
        '  IdentityFile ~/.ssh/id_nop',
        '  UserKnownHostsFile ~/.ssh/fleet_known_hosts',
        '',
      ].join('\n'),
    );
    process.env.HOME = home;
  });

  afterAll(async () => {
    process.env.HOME = savedHome;
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('resolves HostName, Port, User, IdentityFile, UserKnownHostsFile and ProxyJump from an alias', async () => {
    const t = keep(await sshTransport({ host: 'gpu-one' }));
    expect((await t.exec('id -un')).stdout).toBe('noptest\n');
    await fleet.hosts[0].stop();
    await expect(t.exec('true')).rejects.toBeInstanceOf(UnreachableError);
  });

  it('lets explicit options win over the config', async () => {
    const [h1, , h3] = fleet.hosts;
    const t = keep(await sshTransport({ host: 'gpu-one', user: 'noppass', proxyJump: hop(2) }));
    expect((await t.exec('id -un')).stdout).toBe('noppass\n');
    await h1.stop();
    expect((await t.exec('echo still here')).stdout).toBe('still here\n');
    await h3.stop();
    await expect(t.exec('true')).rejects.toBeInstanceOf(UnreachableError);
  });
});
