import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { cronCommand, type CronOptions } from '../../../lib/cli/cron-command.js';
import { runPlaybook } from '../../../lib/runner/run-playbook.js';
import type { RunEvent } from '../../../lib/runner/types.js';
import { shell } from '../update/sim-fleet.js';
import { CRONTAB_SHIM } from './crontab-shim.js';

const REPAIR = join(import.meta.dirname, '../../../playbooks/repair.yml');

let dir: string;
let holder: ChildProcess | undefined;
let opts: CronOptions;
let output: string[];

const FAKE_NOP = `#!/bin/sh
echo "{\\"type\\":\\"playbook_start\\",\\"args\\":\\"$*\\",\\"lock\\":\\"$NOP_RUN_LOCK_HELD\\"}"
echo ran >> "$(dirname "$0")/ran"
`;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-cron-'));
  await mkdir(join(dir, 'bin'));
  await writeFile(join(dir, 'bin/crontab'), CRONTAB_SHIM);
  await writeFile(join(dir, 'bin/nop'), FAKE_NOP);
  await chmod(join(dir, 'bin/crontab'), 0o755);
  await chmod(join(dir, 'bin/nop'), 0o755);
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
    scheduler: 'cron',
    unitDir: join(dir, 'units'),
    env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, CRONTAB_FILE: join(dir, 'crontab') },
    out: (l) => output.push(l),
  };
});
afterEach(async () => {
  if (holder?.pid) process.kill(holder.pid);
  holder = undefined;
  await rm(dir, { recursive: true, force: true });
});

const crontabText = () => readFile(join(dir, 'crontab'), 'utf8');
const jobLine = async () => (await crontabText()).split('\n').find((l) => l.startsWith('*/15 '))!;

/** hold the lock the way a running nop does, from a process this test owns */
const holdLock = async (file: string) => {
  await mkdir(join(file, '..'), { recursive: true });
  holder = spawn('flock', [file, 'sh', '-c', 'echo held; sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise((r) => holder!.stdout!.once('data', r));
};

describe('nop cron', () => {
  it('installs one entry however often it runs, lists it and removes it', async () => {
    await writeFile(join(dir, 'crontab'), 'MAILTO=ops@example.com\n0 3 * * * /usr/bin/backup\n');
    expect(await cronCommand('install', opts)).toBe(0);
    expect(await cronCommand('install', opts)).toBe(0);
    expect(output[1]).toMatch(/^unchanged: nop /);
    const text = await crontabText();
    expect(text.match(/^#Ansible: nop /gm)).toHaveLength(1);
    expect(text).toContain('0 3 * * * /usr/bin/backup');
    const line = await jobLine();
    expect(line).toContain(`flock -n ${opts.lockFile} ${opts.nop} run ${REPAIR} -i ${opts.inventory![0]} --json >> ${opts.logFile} 2>&1`);
    expect(line).not.toContain('%');
    output = [];
    await cronCommand('list', opts);
    expect(output).toHaveLength(1);
    expect(output[0]).toContain(line);
    await cronCommand('remove', opts);
    expect(await crontabText()).toBe('MAILTO=ops@example.com\n0 3 * * * /usr/bin/backup\n');
  });

  it('the entry runs the playbook with JSON events into the log, and never while another run holds the lock', async () => {
    await cronCommand('install', opts);
    const command = (await jobLine()).split(' ').slice(5).join(' ');
    const first = await shell(command, {});
    expect(first.code).toBe(0);
    const log = await readFile(opts.logFile!, 'utf8');
    expect(JSON.parse(log.trim())).toMatchObject({ type: 'playbook_start', lock: opts.lockFile });
    await holdLock(opts.lockFile!);
    const refused = await shell(command, {});
    expect(refused.code).toBe(1);
    expect((await readFile(join(dir, 'bin/ran'), 'utf8')).trim().split('\n')).toHaveLength(1);
  });

  it('a playbook run refuses to start while the lock is held', async () => {
    await writeFile(
      opts.inventory![0],
      stringify({
        all: {
          hosts: { gpu1: { ansible_connection: 'local', nop_lock_file: opts.lockFile, gonka_deploy_dir: join(dir, 'deploy') } },
          children: { network_nodes: { hosts: { gpu1: null } } },
        },
      }),
    );
    await holdLock(opts.lockFile!);
    const events: RunEvent[] = [];
    const summary = await runPlaybook({ playbook: REPAIR, inventories: opts.inventory!, emit: (e) => events.push(e) });
    expect(summary.code).not.toBe(0);
    const lock = events.find((e) => e.type === 'task_result' && e.task.endsWith('Take the day-2 run lock'));
    expect(lock && lock.type === 'task_result' && lock.status).toBe('failed');
    expect(JSON.stringify(lock)).toContain(`another day-2 run holds ${opts.lockFile}`);
    expect(events.some((e) => e.type === 'task_result' && e.task.endsWith('Diagnose'))).toBe(false);
  });
});
