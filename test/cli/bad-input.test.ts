import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_INVENTORY, workspace, type Workspace } from '../runner/helpers.js';
import { nopInProcess, nopProcess } from './nop-cli.js';

// Every way the CLI can be given bad input ends in a message (file:line where there is one), Ansible's
// exit code, and no stack trace. Each case runs the bin's entry (main) in this process; the compiled bin, as users
// run it (`npm test` builds first), runs one case of each exit code and the cases that check nothing was touched,
// and gives the same code and stderr as the entry.

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...process.env, CI: '1', ...extra });
const nop = (args: string[], cwd: string, extra?: NodeJS.ProcessEnv) => nopInProcess(args, { cwd, env: env(extra) });
const nopBin = (args: string[], cwd: string, extra?: NodeJS.ProcessEnv) => nopProcess(args, { cwd, env: env(extra) });

const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

// a billion laughs: nine levels of nine aliases each, then `x: *a9`
const aliasBomb = (indent: string): string => {
  const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < 10; i++)
    lines.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  return [...lines, 'x: *a9'].map((l) => `${indent}${l}\n`).join('');
};

let ws: Workspace;
beforeAll(async () => {
  ws = await workspace();
  await ws.write('inventory.yml', LOCAL_INVENTORY);
  await ws.write(
    'site.yml',
    '- hosts: all\n  gather_facts: false\n  tasks:\n    - name: one\n      file: { path: "{{ playbook_dir }}/touched", state: touch }\n',
  );
  await ws.write('broken.yml', '- hosts: all\n  tasks:\n    - name: x\n     debug: {}\n');
  await ws.write('notyaml.yml', 'a: [1, 2\nb: 3\n');
  await ws.write('list.yml', '- 1\n- 2\n');
  await ws.write('bomb-inventory.yml', `all:\n  hosts:\n    h1:\n  vars:\n${aliasBomb('    ')}`);
  await ws.write('bomb-playbook.yml', `- hosts: all\n  tasks: []\n  vars:\n${aliasBomb('    ')}`);
  await ws.write(
    'unreachable.yml',
    'all:\n  hosts:\n    far: { ansible_host: 127.0.0.1, ansible_port: 1 }\n  children:\n    network_nodes:\n      hosts:\n        far:\n',
  );
  await ws.write('bad-var.yml', 'all:\n  hosts:\n    moon: { ansible_connection: local, gonka_network: moon }\n');
  await ws.write('other-group.yml', '- hosts: gpus\n  gather_facts: false\n  tasks:\n    - debug: { msg: hi }\n');
  await ws.write(
    'tagged.yml',
    '- hosts: all\n  gather_facts: false\n  tasks:\n    - name: one\n      file: { path: "{{ playbook_dir }}/touched", state: touch }\n      tags: [docker]\n    - block:\n        - debug: { msg: hi }\n      tags: [nvidia]\n',
  );
  await mkdir(join(ws.dir, 'empty-path'));
});
afterAll(() => ws.cleanup());

// `report`: the command reports per host (gpu-info) rather than stopping with ERROR!
// `bin`: also run through the compiled bin (one case of each exit code, and a per-host report)
const CASES: { why: string; args: string[]; code: number; message: RegExp; env?: NodeJS.ProcessEnv; report?: boolean; bin?: true }[] = [
  {
    why: '-e @file that is not YAML',
    args: ['run', 'site.yml', '-i', 'inventory.yml', '-e', '@notyaml.yml'],
    code: 4,
    message: /notyaml\.yml:2:1: YAML syntax error/,
    bin: true,
  },
  {
    why: '-e @file that does not exist',
    args: ['run', 'site.yml', '-i', 'inventory.yml', '-e', '@missing.yml'],
    code: 1,
    message: /could not read missing\.yml \(ENOENT\)/,
    bin: true,
  },
  {
    why: '-e @file that is not a mapping',
    args: ['run', 'site.yml', '-i', 'inventory.yml', '-e', '@list.yml'],
    code: 5,
    message: /'@list\.yml' could not be made into a dictionary/,
  },
  {
    why: '-e with a word that is not key=value',
    args: ['run', 'site.yml', '-i', 'inventory.yml', '-e', 'a=b c'],
    code: 5,
    message: /'c' is not key=value/,
    bin: true,
  },
  {
    why: '-e with a path but no @',
    args: ['run', 'site.yml', '-i', 'inventory.yml', '-e', './vars.yml'],
    code: 5,
    message: /prepend extra_vars filename '\.\/vars\.yml' with '@'/,
  },
  {
    why: 'an alias bomb in an inventory (list)',
    args: ['inventory', '-i', 'bomb-inventory.yml', '--list'],
    code: 4,
    message: /bomb-inventory\.yml:6:\d+: YAML aliases expand to more than \d+ nodes/,
  },
  {
    why: 'an alias bomb in an inventory (run)',
    args: ['run', 'site.yml', '-i', 'bomb-inventory.yml'],
    code: 4,
    message: /bomb-inventory\.yml:6:\d+: YAML aliases expand/,
  },
  {
    why: 'an alias bomb in a playbook',
    args: ['run', 'bomb-playbook.yml', '-i', 'inventory.yml'],
    code: 4,
    message: /bomb-playbook\.yml:5:\d+: YAML syntax error: YAML aliases expand/,
  },
  {
    why: 'cron --every 7m',
    args: ['cron', 'install', 'site.yml', '-i', 'inventory.yml', '--every', '7m'],
    code: 5,
    message: /--every 7m: cron repeats evenly only for divisors/,
  },
  {
    why: 'cron install of a missing playbook',
    args: ['cron', 'install', 'missing.yml', '-i', 'inventory.yml'],
    code: 1,
    message: /the playbook: missing\.yml could not be found/,
  },
  {
    why: 'cron install with a missing inventory',
    args: ['cron', 'install', 'site.yml', '-i', 'missing-inventory.yml'],
    code: 1,
    message: /the inventory missing-inventory\.yml could not be found/,
  },
  {
    why: 'cron install of a broken playbook',
    args: ['cron', 'install', 'broken.yml', '-i', 'inventory.yml'],
    code: 4,
    message: /broken\.yml:4:\d+: YAML syntax error/,
  },
  {
    why: 'cron install without crontab(1)',
    args: ['cron', 'install', 'site.yml', '-i', 'inventory.yml', '--scheduler', 'cron', '--lock-file', 'lock', '--log-file', 'log'],
    env: { PATH: 'empty-path' },
    code: 1,
    message: /crontab\(1\) is not installed here/,
    bin: true,
  },
  {
    why: '--start-at-task naming no task',
    args: ['run', 'site.yml', '-i', 'inventory.yml', '--start-at-task', 'nope'],
    code: 1,
    message: /No matching task "nope" found/,
  },
  {
    why: 'inventory --host naming no host',
    args: ['inventory', '-i', 'inventory.yml', '--host', 'nosuch'],
    code: 5,
    message: /You must pass a single valid host to --host parameter/,
  },
  {
    why: 'gpu-info --limit matching nothing',
    args: ['gpu-info', '-i', 'inventory.yml', '-l', 'nosuch'],
    code: 1,
    message: /no hosts to target: --limit nosuch matches no host/,
  },
  // nothing to do is not success: the same message and exit code from every command
  {
    why: 'run with a missing inventory file',
    args: ['run', 'site.yml', '-i', 'missing-inventory.yml'],
    code: 1,
    message: /Completely failed to parse inventory source .*missing-inventory\.yml: no such file or directory/,
  },
  {
    why: 'status with a missing inventory file',
    args: ['status', '-i', 'missing-inventory.yml'],
    code: 1,
    message: /Completely failed to parse inventory source .*missing-inventory\.yml/,
  },
  {
    why: 'inventory --list with a missing inventory file',
    args: ['inventory', '-i', 'missing-inventory.yml', '--list'],
    code: 1,
    message: /Completely failed to parse inventory source .*missing-inventory\.yml/,
  },
  {
    why: 'run --limit matching no host',
    args: ['run', 'site.yml', '-i', 'inventory.yml', '-l', 'nosuch'],
    code: 1,
    message: /leaves us with no hosts to target: --limit nosuch matches no host of the inventory/,
  },
  {
    why: 'run whose plays match no host',
    args: ['run', 'other-group.yml', '-i', 'inventory.yml'],
    code: 1,
    message: /no hosts to target: no play of the playbook \(hosts: gpus\) matches a host of the inventory/,
  },
  { why: 'status --limit matching no host', args: ['status', '-i', 'inventory.yml', '-l', 'nosuch'], code: 1, message: /--limit nosuch matches no host/ },
  {
    why: 'ml-node --limit matching no network node',
    args: ['ml-node', 'list', '-i', 'inventory.yml', '-l', 'nosuch'],
    code: 1,
    message: /--limit nosuch matches no network node/,
  },
  {
    why: '--tags naming no tag, with the nearest',
    args: ['run', 'tagged.yml', '-i', 'inventory.yml', '-t', 'dockr'],
    code: 1,
    message: /--tags dockr: no task of .*tagged\.yml has this tag; did you mean 'docker'\? \(its tags: docker, nvidia\)/,
  },
  {
    why: '--skip-tags naming no tag',
    args: ['run', 'tagged.yml', '-i', 'inventory.yml', '--skip-tags', 'gpu'],
    code: 1,
    message: /--skip-tags gpu: no task of .*tagged\.yml has this tag \(its tags: docker, nvidia\)/,
  },
  { why: 'gpu-info with a bad host variable', args: ['gpu-info', '-i', 'bad-var.yml'], code: 1, message: /moon: variable 'gonka_network': /, report: true },
  {
    why: 'gpu-info on an unreachable host',
    args: ['gpu-info', '-i', 'unreachable.yml'],
    code: 1,
    message: /far: unreachable: .*connection refused/,
    report: true,
    bin: true,
  },
  {
    why: 'ml-node on an unreachable network node',
    args: ['ml-node', 'list', '-i', 'unreachable.yml', '-l', 'far'],
    code: 4,
    message: /unreachable: .*connection refused/,
    bin: true,
  },
  {
    why: 'a directory as the playbook',
    args: ['run', 'empty-path', '-i', 'inventory.yml'],
    code: 1,
    message: /the playbook: empty-path does not appear to be a file/,
  },
  {
    why: 'status --prometheus into a path that cannot exist',
    args: ['status', '-i', 'unreachable.yml', '--prometheus', 'site.yml/x.prom'],
    code: 1,
    message: /ENOTDIR: not a directory/,
  },
  { why: 'a bad --forks', args: ['run', 'site.yml', '-i', 'inventory.yml', '-f', '0'], code: 5, message: /expected a positive whole number, got "0"/ },
  {
    why: 'upstream diff with both --ref and --dir',
    args: ['upstream', 'diff', '-i', 'unreachable.yml', '--ref', 'main', '--dir', 'empty-path'],
    code: 5,
    message: /--ref and --dir are exclusive/,
  },
  {
    why: "upstream diff from a directory without upstream's files",
    args: ['upstream', 'diff', '-i', 'unreachable.yml', '--dir', 'empty-path'],
    code: 1,
    message: /cannot read .*empty-path\/config\.env\.template \(ENOENT\)/,
  },
  {
    why: 'upstream diff of an inventory without Gonka hosts',
    args: ['upstream', 'diff', '-i', 'inventory.yml', '--dir', 'empty-path'],
    code: 5,
    message: /no host of network_nodes or ml_nodes matched/,
  },
];

describe('bad input on the command line', () => {
  for (const c of CASES) {
    it(`${c.why}: exit ${c.code}, a message, no stack trace`, async () => {
      const res = await nop(c.args, ws.dir, c.env);
      expect(res.stderr).toMatch(c.message);
      if (!c.report) expect(res.stderr).toMatch(/^ERROR! /m);
      expect(res.stderr).not.toMatch(STACK_FRAME);
      expect(res.stderr).not.toContain('Unexpected Exception');
      expect(res.code).toBe(c.code);
      // the compiled bin, as users run it: the same exit code and the same words
      if (c.bin) expect(await nopBin(c.args, ws.dir, c.env)).toEqual(res);
    });
  }

  it('reports every problem of the command line at once, touching no host', async () => {
    const res = await nopBin(['run', 'tagged.yml', '-i', 'inventory.yml', '-t', 'dockr', '--start-at-task', 'nope', '-l', 'nosuch'], ws.dir);
    expect(res.stderr).toMatch(/--tags dockr: no task/);
    expect(res.stderr).toMatch(/No matching task "nope"/);
    expect(res.stderr).toMatch(/--limit nosuch matches no host/);
    expect(res.code).toBe(1);
    await expect(access(join(ws.dir, 'touched'))).rejects.toThrow();
  });

  it('touches no host when --start-at-task names no task', async () => {
    await nop(['run', 'site.yml', '-i', 'inventory.yml', '--start-at-task', 'nope'], ws.dir);
    await expect(access(join(ws.dir, 'touched'))).rejects.toThrow();
    const ok = await nop(['run', 'site.yml', '-i', 'inventory.yml', '--start-at-task', 'o*'], ws.dir);
    expect(ok.code).toBe(0);
    await expect(access(join(ws.dir, 'touched'))).resolves.toBeUndefined();
  });
});
