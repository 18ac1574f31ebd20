import { execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshTransport, type SshTransportOptions } from '../../lib/transport/ssh.js';
import { UnreachableError } from '../../lib/transport/transport.js';
import { startSshdHosts, TEST_USERS, type SshdFleet, type SshdHost } from '../helpers/sshd.js';

let fleet: SshdFleet;
let host: SshdHost;
let dir: string;

beforeAll(async () => {
  fleet = await startSshdHosts(1, { hostKeyTypes: ['ed25519', 'ecdsa'] });
  host = fleet.hosts[0];
  dir = await mkdtemp(join(tmpdir(), 'nop-hostkeys-'));
});

afterAll(async () => {
  await fleet?.stopAll();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const options = (knownHostsPath: string, extra: Partial<SshTransportOptions> = {}): SshTransportOptions => ({
  host: host.address,
  port: host.port,
  user: TEST_USERS.passwordless,
  privateKeyPath: fleet.clientKey,
  knownHostsPath,
  ...extra,
});

const connectAndRun = async (opts: SshTransportOptions) => {
  const t = await sshTransport(opts);
  try {
    return (await t.exec('echo connected')).stdout;
  } finally {
    await t.close();
  }
};

const refusal = async (opts: SshTransportOptions): Promise<UnreachableError> => {
  const err = await sshTransport(opts).then(
    async (t) => {
      await t.close();
      throw new Error('connected, but should have been refused');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UnreachableError);
  return err as UnreachableError;
};

const hashedName = (name: string) => {
  const salt = randomBytes(20);
  const hash = createHmac('sha1', salt).update(name).digest();
  return `|1|${salt.toString('base64')}|${hash.toString('base64')}`;
};

describe('host key verification', () => {
  it('accepts the recorded key', async () => {
    expect(await connectAndRun(options(fleet.knownHostsPath))).toBe('connected\n');
  });

  it('refuses an unknown host and prints the exact line to add', async () => {
    const empty = join(dir, 'empty_known_hosts');
    await writeFile(empty, '');
    const err = await refusal(options(empty));
    expect(err.message).toContain(`[${host.address}]:${host.port} ${host.hostKeyPub}`);
  });

  it('records an unknown key with acceptNewHostKeys (file created 0600), then trusts it', async () => {
    const fresh = join(dir, 'new', 'known_hosts');
    expect(await connectAndRun(options(fresh, { acceptNewHostKeys: true }))).toBe('connected\n');
    expect(await readFile(fresh, 'utf8')).toBe(`[${host.address}]:${host.port} ${host.hostKeyPub}\n`);
    expect((await stat(fresh)).mode & 0o777).toBe(0o600);
    expect(await connectAndRun(options(fresh))).toBe('connected\n');
    expect((await readFile(fresh, 'utf8')).split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('refuses a changed key loudly, naming the file and line, even with acceptNewHostKeys', async () => {
    const otherKey = join(dir, 'other_key');
    await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', otherKey]);
    const [type, base64] = (await readFile(`${otherKey}.pub`, 'utf8')).trim().split(' ');
    const changed = join(dir, 'changed_known_hosts');
    await writeFile(changed, `# a comment\n[${host.address}]:${host.port} ${type} ${base64}\n`);
    const err = await refusal(options(changed, { acceptNewHostKeys: true }));
    expect(err.message).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
    expect(err.message).toContain(`${changed}:2`);
    expect(err.message).toContain(`[${host.address}]:${host.port} ${host.hostKeyPub}`);
    expect(await readFile(changed, 'utf8')).not.toContain(host.hostKeyPub);
  });

  it('matches hashed entries', async () => {
    const hashed = join(dir, 'hashed_known_hosts');
    await writeFile(hashed, `${hashedName(`[${host.address}]:${host.port}`)} ${host.hostKeyPub}\n`);
    expect(await connectAndRun(options(hashed))).toBe('connected\n');
    await writeFile(hashed, `${hashedName(`[${host.address}]:1`)} ${host.hostKeyPub}\n`);
    await refusal(options(hashed));
  });

  it('negotiates the key type that is recorded when the host has several', async () => {
    const ecdsaOnly = join(dir, 'ecdsa_known_hosts');
    const ecdsa = host.hostKeyPubs.find((k) => k.startsWith('ecdsa-'));
    await writeFile(ecdsaOnly, `[${host.address}]:${host.port} ${ecdsa}\n`);
    expect(await connectAndRun(options(ecdsaOnly))).toBe('connected\n');
  });

  it('refuses a key marked @revoked', async () => {
    const revoked = join(dir, 'revoked_known_hosts');
    await writeFile(revoked, `${await readFile(fleet.knownHostsPath, 'utf8')}@revoked * ${host.hostKeyPub}\n`);
    expect((await refusal(options(revoked))).message).toMatch(/revoked/);
  });
});

describe('unreachable hosts', () => {
  it('reports a refused connection', async () => {
    const err = await refusal(options(fleet.knownHostsPath, { port: 1 }));
    expect(err.message).toMatch(/connection refused/);
  });

  it('reports an authentication failure', async () => {
    const stranger = join(dir, 'stranger_key');
    await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', stranger]);
    const err = await refusal(options(fleet.knownHostsPath, { privateKeyPath: stranger }));
    expect(err.message).toMatch(/authentication failed/);
    expect(err.message).toContain(`noptest@${host.address}:${host.port}`);
  });
});
