import { hostname } from 'node:os';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canSandbox, createSandboxHost, SANDBOX_HOSTNAME, type SandboxHost } from '../helpers/sandbox-host.js';

describe.skipIf(!canSandbox)('sandbox host', () => {
  let host: SandboxHost;
  beforeAll(async () => {
    host = await createSandboxHost();
  });
  afterAll(() => host?.close());

  it('has its own host name, /etc and network, and the machine keeps its own', async () => {
    const res = await host.sh('hostname; echo changed > /etc/nop-sandbox-probe; sysctl -w net.ipv4.ip_forward=1 >/dev/null; sysctl -n net.ipv4.ip_forward');
    expect(res.stdout).toBe(`${SANDBOX_HOSTNAME}\n1\n`);
    expect(hostname()).not.toBe(SANDBOX_HOSTNAME);
    await expect(readFile('/etc/nop-sandbox-probe')).rejects.toThrow(/ENOENT/);
    expect((await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')).trim()).not.toBe('changed');
  });

  it('runs services through its own systemctl: units load on daemon-reload, start and enable', async () => {
    const unit = '[Unit]\nDescription=probe\n[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n';
    await host.transport().put('/etc/systemd/system/probe.service', unit);
    const before = await host.sh('systemctl show -p LoadState --value probe; systemctl start probe; echo rc=$?');
    expect(before.stdout).toBe('not-found\nrc=5\n');
    const after = await host.sh(
      'systemctl daemon-reload && systemctl start probe && systemctl enable probe 2>/dev/null && systemctl is-active probe && systemctl is-enabled probe',
    );
    expect(after.stdout).toBe('active\nenabled\n');
    await expect(readFile('/etc/systemd/system/multi-user.target.wants/probe.service')).rejects.toThrow(/ENOENT/);
  });
});
