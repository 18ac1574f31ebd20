import { execFile, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cronCommand, type CronOptions } from '../../../lib/cli/cron-command.js';
import { cronJobName } from '../../../lib/cron/cron-entry.js';
import { cronModule } from '../../../lib/modules/builtin/cron.js';
import { runModule } from '../../modules/helpers.js';
import { shell } from '../update/sim-fleet.js';
import { CRONTAB_SHIM, cronCommandOf } from './crontab-shim.js';

// Paths that reach a crontab line or a systemd unit arrive whole at the command they run, or are refused.

const run = promisify(execFile);

// records its arguments, one per line, beside itself
const RECORDING_NOP = `#!/bin/sh
for a in "$@"; do printf '%s\\n' "$a"; done > "$(dirname "$0")/argv"
`;
const SYSTEMCTL_SHIM = '#!/bin/sh\nexit 0\n';

// every character a path may hold that a shell, cron or systemd would read differently
const AWKWARD = `100% it's "$HOME" \`id\` a\\b %n`;

let dir: string;
let nasty: string;
let opts: CronOptions;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-cron-quoting-'));
  await mkdir(join(dir, 'bin'));
  for (const [name, text] of [
    ['crontab', CRONTAB_SHIM],
    ['nop', RECORDING_NOP],
    ['systemctl', SYSTEMCTL_SHIM],
  ]) {
    await writeFile(join(dir, 'bin', name), text);
    await chmod(join(dir, 'bin', name), 0o755);
  }
  nasty = join(dir, AWKWARD);
  await mkdir(nasty);
  await writeFile(join(nasty, 'site %s.yml'), '- hosts: all\n  gather_facts: false\n  tasks: []\n');
  await writeFile(join(nasty, 'inv %d.yml'), 'all:\n  hosts:\n    gpu1: { ansible_connection: local }\n');
  opts = {
    playbook: join(nasty, 'site %s.yml'),
    inventory: [join(nasty, 'inv %d.yml')],
    every: '15m',
    lockFile: join(nasty, 'lock %H'),
    logFile: join(nasty, 'log %m.jsonl'),
    nop: join(dir, 'bin/nop'),
    scheduler: 'cron',
    unitDir: join(dir, 'units'),
    systemdUser: false,
    systemdRuntimeDir: join(dir, 'run-systemd'),
    env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, CRONTAB_FILE: join(dir, 'crontab') },
    out: () => undefined,
  };
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const argvRecorded = async () => (await readFile(join(dir, 'bin/argv'), 'utf8')).split('\n').slice(0, -1);
const expectedArgv = () => ['run', opts.playbook!, '-i', opts.inventory![0], '--json'];

describe('values in crontab lines', () => {
  it('escapes % for cron and quotes for the shell: the job gets every path whole', async () => {
    expect(await cronCommand('install', opts)).toBe(0);
    const line = (await readFile(join(dir, 'crontab'), 'utf8')).split('\n').find((l) => l.startsWith('*/15 '))!;
    const { command, stdin } = cronCommandOf(line);
    expect(stdin).toBe('');
    const res = await shell(command, {});
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(await argvRecorded()).toEqual(expectedArgv());
    // the log the job appends to is the one named
    await expect(readFile(opts.logFile!, 'utf8')).resolves.toBe('');
  });

  it('refuses a newline in any value, naming it, and leaves the crontab alone', async () => {
    await writeFile(join(dir, 'crontab'), '0 3 * * * /usr/bin/backup\n');
    for (const bad of [{ logFile: join(dir, 'log\n* * * * * touch /tmp/pwned') }, { lockFile: join(dir, 'lock\r') }, { nop: join(dir, 'bin/nop\nx') }]) {
      await expect(cronCommand('install', { ...opts, ...bad })).rejects.toThrow(/nop cron: .* ".*\\[nr].*" cannot be scheduled: it holds a newline/);
    }
    await expect(cronCommand('install', { ...opts, logFile: join(dir, 'a\\%b') })).rejects.toThrow(
      /--log-file ".*" cannot be scheduled: a crontab line cannot hold a backslash followed by %/,
    );
    expect(await readFile(join(dir, 'crontab'), 'utf8')).toBe('0 3 * * * /usr/bin/backup\n');
  });

  it('the cron module keeps a % of its job a %, and refuses fields and users that would shift the line', async () => {
    const env = { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, CRONTAB_FILE: join(dir, 'crontab') };
    const res = await runModule(cronModule, { name: 'stamp', job: `date +%Y-%m > ${join(dir, 'stamp')} && echo \\% done` }, { env });
    expect(res.changed).toBe(true);
    const line = (await readFile(join(dir, 'crontab'), 'utf8')).split('\n').find((l) => l.startsWith('* * * * * '))!;
    const { command, stdin } = cronCommandOf(line);
    expect(stdin).toBe('');
    expect(command).toBe(`date +%Y-%m > ${join(dir, 'stamp')} && echo % done`);
    expect((await shell(command, {})).code).toBe(0);
    expect((await readFile(join(dir, 'stamp'), 'utf8')).trim()).toMatch(/^\d{4}-\d{2}$/);
    for (const bad of [{ minute: '* * * * * touch /tmp/pwned #' }, { hour: '1%' }, { user: 'root touch' }, { name: 'a\rb' }, { job: 'a\rb' }]) {
      expect(cronModule.args.safeParse({ name: 'x', job: 'true', ...bad }).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

// systemd's own parser (Debian: the systemd package): `systemd-analyze verify` with debug logging dumps the unit as loaded
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).error === undefined;
const systemdDump = async (unit: string): Promise<string> => {
  try {
    const { stdout, stderr } = await run('systemd-analyze', ['verify', '--man=no', unit], { env: { ...process.env, SYSTEMD_LOG_LEVEL: 'debug' } });
    return stdout + stderr;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return `${err.stdout}${err.stderr}`;
  }
};

// the dump prints argv as one shell-quoted line; $$ is systemd's literal $, replaced when it execs
const argvOf = async (commandLine: string): Promise<string[]> => {
  const { stdout } = await run('/bin/sh', ['-c', `eval "set -- $0"; for a in "$@"; do printf '%s\\0' "$a"; done`, commandLine]);
  return stdout
    .split('\0')
    .slice(0, -1)
    .map((a) => a.replace(/\$\$/g, '$'));
};

describe('values in systemd units', () => {
  it.skipIf(!hasSystemdAnalyze)('quotes ExecStart=, Environment= and Description= so systemd reads every path whole', async () => {
    await mkdir(join(dir, 'run-systemd'));
    const pathEnv = `${join(dir, 'bin')}:${process.env.PATH}:/opt/100%/$HOME`;
    expect(await cronCommand('install', { ...opts, scheduler: 'auto', env: { ...opts.env, PATH: pathEnv } })).toBe(0);
    const service = (await readdir(opts.unitDir!)).find((f) => f.endsWith('.service'))!;
    const dump = await systemdDump(join(opts.unitDir!, service));
    const commandLine = /^\s*Command Line: (.*)$/m.exec(dump)?.[1];
    expect(commandLine, dump).toBeDefined();
    const [sh, flag, script] = await argvOf(commandLine!);
    expect([sh, flag]).toEqual(['/bin/sh', '-c']);
    expect((await shell(script, {})).code).toBe(0);
    expect(await argvRecorded()).toEqual(expectedArgv());
    expect(/^\s*Environment: (.*)$/m.exec(dump)?.[1]).toBe(`PATH=${pathEnv}`);
    expect(/^\s*Description: (.*)$/m.exec(dump)?.[1]).toBe(cronJobName(opts.playbook!, opts.inventory!));
  });
});
