import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../lib/runner/paths.js';
import { eventually } from '../helpers/eventually.js';
import { startTerminal, type Terminal } from '../helpers/tmux.js';
import { LOCAL_INVENTORY, workspace, type Workspace } from '../runner/helpers.js';

// nop as an operator runs it: the compiled bin in a real terminal (tmux), read from the screen
let ws: Workspace;
let term: Terminal | undefined;
beforeEach(async () => {
  ws = await workspace();
  await ws.write('inventory.yml', LOCAL_INVENTORY);
});
afterEach(async () => {
  await term?.close();
  term = undefined;
  await ws.cleanup();
});

const nop = async (...args: string[]) => {
  term = await startTerminal([process.execPath, join(packageRoot, 'bin', 'nop.js'), ...args], { cwd: ws.dir });
  return term;
};

const fileAppears = (name: string) => eventually(async () => existsSync(join(ws.dir, name)), Boolean, `${name} to exist`);

// a task that runs until the test lets it finish: it says it started, then waits for a file
const waitingTask = (name: string, marker: string) =>
  `    - name: ${name}\n      shell: "touch {{ playbook_dir }}/${marker}.started; while [ ! -f {{ playbook_dir }}/${marker}.go ]; do sleep 0.1; done"\n`;

const STACK_TRACE = /\n\s+at .+:\d+:\d+/;

const QUESTIONS = `- name: Settings
  hosts: alpha
  gather_facts: false
  vars_prompt:
    - { name: public_ip, prompt: "Public IP of the node", private: false, validate: public_address }
    - { name: key_workflow, prompt: "Key workflow", private: false, choices: [quick, secure], default: quick }
    - { name: keyring_password, prompt: "Keyring password", confirm: true }
  tasks: []
- name: Work
  hosts: alpha
  gather_facts: false
  tasks:
    - copy: { dest: "{{ playbook_dir }}/answers", content: "{{ public_ip }} {{ key_workflow }} {{ keyring_password | length }}" }
`;

describe('nop run on a terminal', { timeout: 180_000 }, () => {
  it('asks every question in plain sight: echoed as typed, hidden for secrets, refused in words, and only then draws the play', async () => {
    await ws.write('site.yml', QUESTIONS);
    const t = await nop('run', 'site.yml', '-i', 'inventory.yml');
    await t.waitFor('Public IP of the node: ');
    await t.type('10.0.0.5');
    await t.waitFor('Public IP of the node: 10.0.0.5', 'the answer echoed as typed');
    await t.press('Enter');
    await t.waitFor("public_ip: '10.0.0.5' must be reachable from the internet, but 10.0.0.5 is a private network address");
    await t.waitFor((s) => s.split('Public IP of the node: ').length === 3, 'the question asked again');
    await t.type('203.0.113.7');
    await t.press('Enter');
    await t.waitFor('Key workflow (quick/secure) [quick]: ');
    await t.press('Enter');
    await t.waitFor('Keyring password: ');
    await t.type('sekrit-pass-1');
    await t.waitFor('Keyring password: ');
    expect(await t.screen()).not.toContain('sekrit');
    await t.press('Enter');
    await t.waitFor('confirm Keyring password: ');
    await t.type('sekrit-pass-1');
    await t.press('Enter');
    expect(await t.exitCode()).toBe(0);
    const screen = await t.screen();
    expect(await readFile(join(ws.dir, 'answers'), 'utf8')).toBe('203.0.113.7 quick 13');
    // every question on its own line, with nothing drawn over it
    const lines = screen.split('\n');
    expect(lines).toContain('Public IP of the node: 203.0.113.7');
    expect(lines).toContain('Key workflow (quick/secure) [quick]: ');
    expect(lines).toContain('Keyring password: ');
    expect(lines.some((l) => /^[0-9.]$/.test(l.trim()))).toBe(false);
    expect(screen).not.toContain('sekrit');
    // the play that only asks is not a play on screen; the live rows come after the questions
    expect(screen).not.toContain('PLAY [Settings]');
    expect(screen.indexOf('PLAY [Work]')).toBeGreaterThan(screen.indexOf('confirm Keyring password'));
    expect(screen).toMatch(/✔ alpha: ok=1 changed=1/);
    expect(screen).toContain('PLAY RECAP');
  });

  it('Ctrl-C lets the running task finish, then prints the recap and a retry file and exits 99', async () => {
    await ws.write(
      'slow.yml',
      `- hosts: alpha\n  gather_facts: false\n  tasks:\n${waitingTask('Wait for the test', 'one')}    - copy: { dest: "{{ playbook_dir }}/never", content: x }\n`,
    );
    const t = await nop('run', 'slow.yml', '-i', 'inventory.yml');
    await fileAppears('one.started');
    await t.waitFor('alpha: Wait for the test');
    await t.press('C-c');
    await t.waitFor('alpha: Wait for the test (interrupted: stopping after this task)');
    await writeFile(join(ws.dir, 'one.go'), '');
    expect(await t.exitCode()).toBe(99);
    const screen = await t.screen();
    expect(screen).toContain('[ERROR]: User interrupted execution');
    expect(screen).toMatch(/alpha\s+: ok=1 {4}changed=1 {4}unreachable=0 {4}failed=0/);
    expect(screen).toContain(`to retry, use: --limit @${join(ws.dir, 'slow.retry')}`);
    expect(await readFile(join(ws.dir, 'slow.retry'), 'utf8')).toBe('alpha\n');
    expect(existsSync(join(ws.dir, 'never'))).toBe(false);
    expect(screen).not.toMatch(STACK_TRACE);
  });

  it('Ctrl-C at a question, shown or hidden, exits 99 without a stack trace', async () => {
    await ws.write('site.yml', QUESTIONS);
    const shown = await nop('run', 'site.yml', '-i', 'inventory.yml');
    await shown.waitFor('Public IP of the node: ');
    await shown.type('203.0');
    await shown.press('C-c');
    expect(await shown.exitCode()).toBe(99);
    const screen = await shown.screen();
    expect(screen).toContain('[ERROR]: User interrupted execution');
    expect(screen).not.toMatch(STACK_TRACE);
    expect(screen).not.toContain('PLAY [');
    await shown.close();

    const hidden = await nop('run', 'site.yml', '-i', 'inventory.yml', '-K');
    await hidden.waitFor('BECOME password: ');
    await hidden.type('half-typed');
    await hidden.press('C-c');
    expect(await hidden.exitCode()).toBe(99);
    expect(await hidden.screen()).toContain('[ERROR]: User interrupted execution');
    expect(await hidden.screen()).not.toMatch(STACK_TRACE);
    expect(await hidden.screen()).not.toContain('half-typed');
  });

  it("a live row shows its current task's progress, never the previous task's", async () => {
    await ws.write(
      'progress.yml',
      `- hosts: alpha
  gather_facts: false
  tasks:
    - name: First
      shell: "test -f {{ playbook_dir }}/first.go"
      register: r
      until: r.rc == 0
      retries: 600
      delay: 0.2
${waitingTask('Second', 'two')}`,
    );
    const t = await nop('run', 'progress.yml', '-i', 'inventory.yml');
    await t.waitFor((s) => /alpha: First\n.*retrying \(\d+\/600\)/.test(s), "the first task's progress line");
    await writeFile(join(ws.dir, 'first.go'), '');
    await fileAppears('two.started');
    const second = await t.waitFor('alpha: Second');
    expect(second).not.toContain('retrying');
    await writeFile(join(ws.dir, 'two.go'), '');
    expect(await t.exitCode()).toBe(0);
  });

  it('--step asks before each task: no skips it, yes runs it, continue runs the rest without asking', async () => {
    const task = (name: string) => `    - name: ${name}\n      copy: { dest: "{{ playbook_dir }}/{{ inventory_hostname }}-${name}", content: x }\n`;
    await ws.write('step.yml', `- hosts: alpha,beta\n  gather_facts: false\n  tasks:\n${['first', 'second', 'third', 'fourth'].map(task).join('')}`);
    const t = await nop('run', 'step.yml', '-i', 'inventory.yml', '--step');
    for (const [name, answer] of [
      ['first', 'n'],
      ['second', 'y'],
      ['third', 'c'],
    ]) {
      await t.waitFor(`Perform task: TASK: ${name} (N)o/(y)es/(c)ontinue: `);
      await t.type(answer);
      await t.press('Enter');
    }
    expect(await t.exitCode()).toBe(0);
    const screen = await t.screen();
    // asked once per task for both hosts, never for the tasks after "continue"
    expect(screen.match(/Perform task:/g)).toHaveLength(3);
    for (const host of ['alpha', 'beta'])
      expect(['first', 'second', 'third', 'fourth'].map((f) => existsSync(join(ws.dir, `${host}-${f}`)))).toEqual([false, true, true, true]);
    expect(screen).toMatch(/alpha\s+: ok=3 {4}changed=3/);
    expect(screen).toMatch(/beta\s+: ok=3 {4}changed=3/);
  });
});
