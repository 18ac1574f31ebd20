import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshTransport } from '../../lib/transport/ssh.js';
import { UnreachableError } from '../../lib/transport/transport.js';
import { startSshdHosts, TEST_USERS, type SshdFleet, type SshdHost } from '../helpers/sshd.js';

let fleet: SshdFleet;
let host: SshdHost;

beforeAll(async () => {
  fleet = await startSshdHosts(1);
  host = fleet.hosts[0];
});

afterAll(async () => {
  await fleet?.stopAll();
});

const connect = () =>
  sshTransport({
    host: host.address,
    port: host.port,
    user: TEST_USERS.passwordless,
    privateKeyPath: fleet.clientKey,
    knownHostsPath: fleet.knownHostsPath,
    connectTimeoutMs: 5_000,
  });

describe('a connection that drops', () => {
  it('fails the running command and every later call with UnreachableError', async () => {
    const t = await connect();
    const running = t.exec('echo started; sleep 60').catch((e: unknown) => e);
    // wait until the command is really running on the host before pulling the plug
    while ((await t.exec('pgrep -f "sleep 6[0]"')).code !== 0);
    await host.stop();
    const err = await running;
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as Error).message).toContain(`noptest@${host.address}:${host.port}`);
    await expect(t.exec('true')).rejects.toBeInstanceOf(UnreachableError);
    await expect(t.put(`${host.workDir}/x`, 'x')).rejects.toBeInstanceOf(UnreachableError);
    await expect(t.get('/etc/hostname')).rejects.toBeInstanceOf(UnreachableError);
    await t.close();
  });

  it('refuses to connect while sshd is down, and connects again once it is back', async () => {
    await host.stop();
    const err = await connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as Error).message).toMatch(/connection refused/);
    await host.start();
    const t = await connect();
    expect((await t.exec('echo back')).stdout).toBe('back\n');
    await t.close();
    await expect(t.exec('true')).rejects.toBeInstanceOf(UnreachableError);
  });
});
