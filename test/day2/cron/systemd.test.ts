import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cronCommand, type CronOptions } from '../../../lib/cli/cron-command.js';
import { shell } from '../update/sim-fleet.js';
import { CRONTAB_SHIM } from './crontab-shim.js';

const REPAIR = join(import.meta.dirname, '../../../playbooks/repair.yml');

// a systemctl stand-in recording its arguments
const SYSTEMCTL_SHIM = `#!/bin/sh
echo "$*" >> "$SYSTEMCTL_LOG"
`;
const FAKE_NOP = `#!/bin/sh
echo "{\\"type\\":\\"playbook_start\\",\\"lock\\":\\"$NOP_RUN_LOCK_HELD\\"}"
`;

let dir: string;
let opts: CronOptions;
let output: string[];
const units = () => join(dir, 'units');
const calls = async () => (await readFile(join(dir, 'systemctl.log'), 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-systemd-'));
  await mkdir(join(dir, 'bin'));
  await mkdir(join(dir, 'run-systemd'));
  for (const [name, text] of [
    ['systemctl', SYSTEMCTL_SHIM],
    ['crontab', CRONTAB_SHIM],
    ['nop', FAKE_NOP],
  ]) {
    await writeFile(join(dir, 'bin', name), text);
    await chmod(join(dir, 'bin', name), 0o755);
  }
  // a job is installed only for an inventory that exists
  await writeFile(join(dir, 'inventory.yml'), 'all:\n  hosts:\n    gpu1: { ansible_connection: local }\n');
  output = [];
  opts = {
    playbook: REPAIR,
    inventory: [join(dir, 'inventory.yml')],
    every: '15m',
    lockFile: join(dir, 'locks/day2.lock'),
    logFile: join(dir, 'log/cron.jsonl'),
    nop: join(dir, 'bin/nop'),
    unitDir: units(),
    systemdUser: false,
    systemdRuntimeDir: join(dir, 'run-systemd'),
    env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, SYSTEMCTL_LOG: join(dir, 'systemctl.log'), CRONTAB_FILE: join(dir, 'crontab') },
    out: (l) => output.push(l),
  };
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('nop cron with systemd', () => {
  it('installs a service and timer where systemd runs (auto), once, and removes them', async () => {
    expect(await cronCommand('install', opts)).toBe(0);
    const files = (await readdir(units())).sort();
    expect(files).toHaveLength(2);
    const [service, timer] = files;
    expect(service).toMatch(/^nop-[0-9a-f]{12}\.service$/);
    expect(timer).toBe(service.replace('.service', '.timer'));
    const timerText = await readFile(join(units(), timer), 'utf8');
    expect(timerText).toContain('OnCalendar=*-*-* *:00/15:00');
    expect(timerText).toContain('WantedBy=timers.target');
    expect(await calls()).toEqual(['daemon-reload', `enable --now ${timer}`]);
    await expect(readFile(join(dir, 'crontab'), 'utf8')).rejects.toThrow();

    expect(await cronCommand('install', opts)).toBe(0);
    expect(output[1]).toMatch(/^unchanged \(systemd timer\): nop /);
    expect((await readdir(units())).sort()).toEqual(files);
    // no second daemon-reload: nothing changed
    expect((await calls()).filter((c) => c === 'daemon-reload')).toHaveLength(1);

    output = [];
    await cronCommand('list', opts);
    expect(output).toHaveLength(1);
    expect(output[0]).toContain(`systemd: ${timer} OnCalendar=*-*-* *:00/15:00`);

    await cronCommand('remove', opts);
    expect(await readdir(units())).toEqual([]);
    expect((await calls()).slice(-2)).toEqual([`disable --now ${timer}`, 'daemon-reload']);
  });

  it("the service's command, unescaped as systemd does, runs the playbook under the lock into the log", async () => {
    await cronCommand('install', opts);
    const service = (await readdir(units())).find((f) => f.endsWith('.service'))!;
    const text = await readFile(join(units(), service), 'utf8');
    const exec = /^ExecStart=\/bin\/sh -c "(.*)"$/m.exec(text)![1];
    expect(exec).toContain('$$(wc -c');
    // systemd's unquoting: \\ → \, \" → ", $$ → $, %% → %
    const command = exec
      .replace(/\\(["\\])/g, '$1')
      .replace(/\$\$/g, '$')
      .replace(/%%/g, '%');
    const res = await shell(command, {});
    expect(res.code).toBe(0);
    expect(JSON.parse((await readFile(opts.logFile!, 'utf8')).trim())).toMatchObject({ type: 'playbook_start', lock: opts.lockFile });
  });

  it('--scheduler cron uses a crontab entry even with systemd, and moving between them leaves one schedule', async () => {
    await cronCommand('install', { ...opts, scheduler: 'cron' });
    expect(await readFile(join(dir, 'crontab'), 'utf8')).toMatch(/^\*\/15 \* \* \* \* /m);
    expect(await readdir(units()).catch(() => [])).toEqual([]);
    await cronCommand('install', { ...opts, scheduler: 'systemd' });
    expect(await readFile(join(dir, 'crontab'), 'utf8')).not.toContain('#Ansible: nop');
    expect(await readdir(units())).toHaveLength(2);
    await cronCommand('install', { ...opts, scheduler: 'cron' });
    expect(await readdir(units())).toEqual([]);
    expect((await readFile(join(dir, 'crontab'), 'utf8')).match(/^#Ansible: nop /gm)).toHaveLength(1);
  });

  it('auto picks crontab where systemd is not the init system', async () => {
    await cronCommand('install', { ...opts, systemdRuntimeDir: join(dir, 'absent') });
    expect(await readFile(join(dir, 'crontab'), 'utf8')).toContain('#Ansible: nop ');
    expect(await calls()).toEqual([]);
  });
});
