import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseShow } from '../../../lib/facts/builtin/systemd-show.js';
import { systemdModule } from '../../../lib/modules/builtin/systemd.js';
import { canSandbox, createSandboxHost, type SandboxHost } from '../../helpers/sandbox-host.js';
import { runModule } from '../helpers.js';

const UNIT = '[Unit]\nDescription=exporter\n[Service]\nExecStart=/bin/sleep 1000\n[Install]\nWantedBy=multi-user.target\n';

describe('systemctl show parsing (as Ansible)', () => {
  it('reads Key=value lines, multi-line only for Exec* values in braces', () => {
    expect(parseShow('Id=a.service\nExecStart={ path=/bin/x ;\n argv[]=/bin/x }\nDescription={weird\nLoadState=loaded\n')).toEqual({
      Id: 'a.service',
      ExecStart: '{ path=/bin/x ;\n argv[]=/bin/x }',
      Description: '{weird',
      LoadState: 'loaded',
    });
  });
});

describe.skipIf(!canSandbox)('systemd (in a sandbox)', () => {
  let host: SandboxHost;
  beforeAll(async () => {
    host = await createSandboxHost();
    // a packaged unit (under /usr/lib): systemd masks only units whose file is not in /etc
    await host.transport().put('/usr/lib/systemd/system/exporter.service', UNIT);
    await host.sh(': > /run/sandbox-systemd/log');
  });
  afterAll(() => host?.close());
  const run = (args: unknown, check = false) => runModule(systemdModule, args, { transport: host.transport(), check });
  const log = async () => (await host.sh('cat /run/sandbox-systemd/log 2>/dev/null; true')).stdout;

  it('fails on a unit systemd does not know, unless daemon_reload loads it first', async () => {
    expect(await run({ name: 'exporter', state: 'started' })).toMatchObject({ failed: true, msg: 'Could not find the requested service exporter: host' });
    expect(await run({ name: 'exporter', state: 'started', enabled: true, daemon_reload: true }, true)).toMatchObject({ failed: true });
    const started = await run({ name: 'exporter', state: 'started', enabled: true, daemon_reload: true });
    // status is what systemd said before the task acted (after the reload), as Ansible reports it
    expect(started).toMatchObject({
      changed: true,
      name: 'exporter',
      state: 'started',
      enabled: true,
      status: { LoadState: 'loaded', ActiveState: 'inactive' },
    });
    expect(await log()).toBe('daemon-reload\nstart exporter.service\n');
    expect((await host.sh('systemctl is-enabled exporter')).stdout).toBe('enabled\n');
  });

  it('changes nothing when the unit is where it should be; a reload alone is no change', async () => {
    expect(await run({ name: 'exporter', state: 'started', enabled: true })).toMatchObject({
      changed: false,
      status: { ActiveState: 'active', UnitFileState: 'enabled' },
    });
    expect(await run({ daemon_reload: true })).toMatchObject({ changed: false });
  });

  it('restarts, stops, masks and unmasks as asked; check mode does nothing', async () => {
    await host.sh(': > /run/sandbox-systemd/log');
    expect(await run({ name: 'exporter', state: 'restarted' }, true)).toMatchObject({ changed: true });
    expect(await log()).toBe('');
    expect(await run({ unit: 'exporter', state: 'restarted' })).toMatchObject({ changed: true, state: 'started' });
    expect(await run({ name: 'exporter', state: 'stopped', enabled: false })).toMatchObject({ changed: true, enabled: false });
    expect(await run({ name: 'exporter', masked: true })).toMatchObject({ changed: true });
    expect((await host.sh('systemctl is-enabled exporter')).stdout).toBe('masked\n');
    expect(await run({ name: 'exporter', masked: true })).toMatchObject({ changed: false });
    expect(await run({ name: 'exporter', masked: false })).toMatchObject({ changed: true });
    expect(await log()).toBe('restart exporter.service\nstop exporter.service\n');
  });
});
