import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../lib/runner/paths.js';
import { LOCAL_INVENTORY, workspace, type Workspace } from '../runner/helpers.js';

// The compiled bin, as users run it (`npm test` builds first).
const nop = (args: string[], opts: { cwd: string; onStart?: (pid: number) => void }) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [join(packageRoot, 'bin', 'nop.js'), ...args], { cwd: opts.cwd, env: { ...process.env, CI: '1' } });
    let stdout = '';
    let stderr = '';
    let started = false;
    child.stdout.on('data', (d) => {
      stdout += d;
      if (started || !stdout.includes('TASK_STARTED')) return;
      started = true;
      opts.onStart?.(child.pid!);
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
  await ws.write('inventory.yml', LOCAL_INVENTORY);
});
afterEach(() => ws.cleanup());

describe('nop CLI', () => {
  it('prints its version and help, exit 0', async () => {
    const v = await nop(['--version'], { cwd: ws.dir });
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = await nop(['run', '--help'], { cwd: ws.dir });
    expect(h.code).toBe(0);
    for (const flag of [
      '--inventory',
      '--limit',
      '--tags',
      '--skip-tags',
      '--check',
      '--diff',
      '--extra-vars',
      '--forks',
      '--start-at-task',
      '--verbose',
      '--json',
    ]) {
      expect(h.stdout).toContain(flag);
    }
  });

  it('exits 5 on bad options, 4 on a parser error, 1 on a missing playbook', async () => {
    expect((await nop(['run'], { cwd: ws.dir })).code).toBe(5);
    expect((await nop(['run', 'x.yml', '--forks', 'many'], { cwd: ws.dir })).code).toBe(5);
    expect((await nop(['run', 'x.yml', '-e', 'not valid json {'], { cwd: ws.dir })).code).toBe(5);
    await ws.write('bad.yml', '- hosts: all\n  tasks:\n    - nosuchmodule: {}\n');
    const parse = await nop(['run', 'bad.yml', '-i', 'inventory.yml'], { cwd: ws.dir });
    expect(parse.code).toBe(4);
    expect(parse.stderr).toContain("bad.yml:3:7: [0].tasks[0].nosuchmodule: 'nosuchmodule' is neither a module nor a task keyword");
    const missing = await nop(['run', 'nope.yml', '-i', 'inventory.yml'], { cwd: ws.dir });
    expect(missing.code).toBe(1);
  });

  it('runs a playbook with the recap, -e precedence and JSON events', async () => {
    await ws.write('site.yml', '- hosts: all\n  gather_facts: false\n  vars: { who: play }\n  tasks:\n    - debug: { msg: "hello {{ who }}" }\n');
    const plain = await nop(['run', 'site.yml', '-i', 'inventory.yml', '-e', 'who=cli', '-v'], { cwd: ws.dir });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('hello cli');
    const line = `${'alpha'.padEnd(26)} : ok=1    changed=0    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   `;
    expect(plain.stdout).toContain(`PLAY RECAP ${'*'.repeat(69)}\n${line}\n`);
    const json = await nop(['run', 'site.yml', '-i', 'inventory.yml', '--json'], { cwd: ws.dir });
    const events = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    expect(events[0].type).toBe('playbook_start');
    expect(events.at(-1)?.type).toBe('recap');
  });

  it('exits 2 when a host fails and names the retry file', async () => {
    await ws.write('fail.yml', '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: "false"\n');
    const res = await nop(['run', 'fail.yml', '-i', 'inventory.yml'], { cwd: ws.dir });
    expect(res.code).toBe(2);
    expect(res.stdout).toContain(`--limit @${join(ws.dir, 'fail.retry')}`);
  });

  it('exits 99 when interrupted, stopping before the next task', async () => {
    await ws.write(
      'slow.yml',
      `- hosts: alpha\n  gather_facts: false\n  tasks:\n    - debug: { msg: TASK_STARTED }\n    - command: sleep 1\n    - copy: { dest: "{{ playbook_dir }}/never", content: x }\n`,
    );
    const res = await nop(['run', 'slow.yml', '-i', 'inventory.yml', '-v'], {
      cwd: ws.dir,
      onStart: (pid) => setTimeout(() => process.kill(pid, 'SIGINT'), 200),
    });
    expect(res.code).toBe(99);
    expect(res.stderr).toContain('User interrupted execution');
    expect(res.stdout).not.toContain('never');
  });

  it('prints the inventory as ansible-inventory does', async () => {
    const graph = await nop(['inventory', '-i', 'inventory.yml', '--graph'], { cwd: ws.dir });
    expect(graph.stdout).toBe('@all:\n  |--@ungrouped:\n  |  |--beta\n  |--@gpu:\n  |  |--alpha\n');
    const host = await nop(['inventory', '-i', 'inventory.yml', '--host', 'alpha'], { cwd: ws.dir });
    expect(JSON.parse(host.stdout)).toEqual({ ansible_connection: 'local' });
  });
});
