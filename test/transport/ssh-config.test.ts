import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSshConfig } from '../../lib/transport/ssh-config.js';
import { parseProxyJump, proxyJumpFromSshArgs } from '../../lib/transport/ssh-proxy-jump.js';

let dir: string;
let configPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-sshcfg-'));
  configPath = join(dir, 'config');
  await writeFile(
    configPath,
    [
      'Host gpu-*',
      '  HostName %h.cluster.internal',
      '  Port 2222',
      '  IdentityFile ~/.ssh/gpu_%r',
      'Host *',
      '  User operator',
      '  IdentityFile ~/.ssh/id_default',
      '  ProxyJump none',
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('ssh config resolution', () => {
  it('resolves first-match-wins values and expands tokens', async () => {
    expect(await resolveSshConfig('gpu-7', { configPath })).toEqual({
      hostName: 'gpu-7.cluster.internal',
      user: 'operator',
      port: 2222,
      identityFiles: [join(homedir(), '.ssh/gpu_operator'), join(homedir(), '.ssh/id_default')],
      proxyJump: undefined,
      userKnownHostsFiles: [],
    });
  });

  it('falls back to the alias itself without a config file', async () => {
    const resolved = await resolveSshConfig('10.1.2.3', { configPath: join(dir, 'none') });
    expect(resolved).toMatchObject({ hostName: '10.1.2.3', identityFiles: [], port: undefined });
  });
});

describe('ProxyJump specs', () => {
  it('parses a chain of hops', () => {
    expect(parseProxyJump('ops@bastion:2200,10.0.0.9,[fe80::1]:22')).toEqual([
      { host: 'bastion', user: 'ops', port: 2200 },
      { host: '10.0.0.9' },
      { host: 'fe80::1', port: 22 },
    ]);
    expect(() => parseProxyJump('a@b@c')).toThrow(/invalid ProxyJump/);
  });

  it('finds the jump in ansible_ssh_common_args', () => {
    expect(proxyJumpFromSshArgs('-o ProxyJump=ops@bastion:2200 -o ServerAliveInterval=5')).toBe('ops@bastion:2200');
    expect(proxyJumpFromSshArgs('-o "ProxyJump ops@b1,b2"')).toBe('ops@b1,b2');
    expect(proxyJumpFromSshArgs('-J b1 -C')).toBe('b1');
    expect(proxyJumpFromSshArgs('-Jb1')).toBe('b1');
    expect(proxyJumpFromSshArgs('-o ServerAliveInterval=5')).toBeUndefined();
    expect(() => proxyJumpFromSshArgs('-o ProxyCommand="ssh -W %h:%p bastion"')).toThrow(/ProxyCommand/);
  });
});
