import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NOPPASS_PASSWORD, startSshdHosts, type SshdFleet } from '../helpers/sshd.js';
import { LOCAL_INVENTORY, workspace, type Workspace } from '../runner/helpers.js';
import { nopInProcess, nopProcess } from './nop-cli.js';

// the environment of a clean shell: no settings, no agent, a HOME of its own (no ~/.nop.cfg, no ~/.ssh keys)
const cleanEnv = (home: string): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(NOP_|ANSIBLE_|SSH_AUTH_SOCK$)/.test(k)) env[k] = v;
  return { ...env, HOME: home, CI: '1' };
};

let ws: Workspace;
const cliOptions = (opts: { env?: Record<string, string>; input?: string; cwd?: string }) => ({
  cwd: opts.cwd ?? ws.dir,
  env: { ...cleanEnv(join(ws.dir, 'home')), ...opts.env },
  input: opts.input,
});
// the bin's entry in this process (test/cli/bad-input.test.ts pins the compiled bin to it); a password on stdin needs
// the bin in a process of its own
const nop = (args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}) => nopInProcess(args, cliOptions(opts));
const nopBin = (args: string[], opts: { env?: Record<string, string>; input?: string } = {}) => nopProcess(args, cliOptions(opts));

beforeEach(async () => {
  ws = await workspace();
  await mkdir(join(ws.dir, 'home'));
  await ws.write('inventory.yml', LOCAL_INVENTORY);
});
afterEach(() => ws.cleanup());

const PLAYBOOK = `- name: Web
  hosts: gpu
  tags: [web]
  gather_facts: false
  roles:
    - { role: base, tags: [base-ref] }
  tasks:
    - name: Install
      debug: { msg: hi }
      tags: [pkg]
    - block:
        - name: Inside
          debug: { msg: x }
      rescue:
        - name: Rescued
          debug: { msg: y }
      tags: [blk]
    - debug: { msg: unnamed }
- hosts: all
  gather_facts: false
  tasks:
    - name: Only when asked
      debug: { msg: z }
      tags: [never, debug]
`;

describe('listing flags, as ansible-playbook prints them', () => {
  beforeEach(async () => {
    await ws.write('site.yml', PLAYBOOK);
    await ws.write('roles/base/tasks/main.yml', '- name: Base task\n  debug: { msg: b }\n');
  });

  it('--list-hosts', async () => {
    const res = await nop(['run', 'site.yml', '-i', 'inventory.yml', '--list-hosts']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe(
      "\nplaybook: site.yml\n\n  play #1 (gpu): Web\tTAGS: [web]\n    pattern: ['gpu']\n    hosts (1):\n      alpha\n\n  play #2 (all): all\tTAGS: []\n    pattern: ['all']\n    hosts (2):\n      alpha\n      beta\n",
    );
    const limited = await nop(['run', 'site.yml', '-i', 'inventory.yml', '--list-hosts', '-l', 'beta']);
    expect(limited.stdout).toContain("    pattern: ['gpu']\n    hosts (0):\n\n  play #2");
  });

  it('--list-tasks, with the tags each task runs under, filtered by --tags', async () => {
    const res = await nop(['run', 'site.yml', '-i', 'inventory.yml', '--list-tasks']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe(
      [
        '',
        'playbook: site.yml',
        '',
        '  play #1 (gpu): Web\tTAGS: [web]',
        '    tasks:',
        '      base : Base task\tTAGS: [base, base-ref, web]',
        '      Install\tTAGS: [pkg, web]',
        '      Inside\tTAGS: [blk, web]',
        '      debug\tTAGS: [web]',
        '',
        '',
        '  play #2 (all): all\tTAGS: []',
        '    tasks:',
        '',
        '',
      ].join('\n'),
    );
    const tagged = await nop(['run', 'site.yml', '-i', 'inventory.yml', '--list-tasks', '--tags', 'pkg,debug']);
    expect(tagged.stdout).toContain('    tasks:\n      Install\tTAGS: [pkg, web]\n\n');
    expect(tagged.stdout).toContain('    tasks:\n      Only when asked\tTAGS: [debug, never]\n\n');
  });

  it('--list-tags, and --list-hosts with --list-tasks together', async () => {
    const tags = await nop(['run', 'site.yml', '-i', 'inventory.yml', '--list-tags']);
    expect(tags.stdout).toBe(
      '\nplaybook: site.yml\n\n  play #1 (gpu): Web\tTAGS: [web]\n      TASK TAGS: [base, base-ref, blk, pkg, web]\n\n\n  play #2 (all): all\tTAGS: []\n      TASK TAGS: []\n\n',
    );
    const both = await nop(['run', 'site.yml', '-i', 'inventory.yml', '--list-hosts', '--list-tasks']);
    expect(both.stdout).toContain("  play #1 (gpu): Web\tTAGS: [web]\n    pattern: ['gpu']\n    hosts (1):\n      alpha\n    tasks:\n      base : Base task");
  });

  it('--syntax-check validates without running or asking anything; a broken playbook is exit 4 with its line', async () => {
    const ok = await nop(['run', 'site.yml', '-i', 'inventory.yml', '--syntax-check', '-K']);
    expect(ok).toMatchObject({ code: 0, stdout: '\nplaybook: site.yml\n' });
    await ws.write('bad.yml', '- hosts: all\n  tasks:\n    - debug: { msg: x }\n      nosuchkeyword: 1\n');
    const bad = await nop(['run', 'bad.yml', '--syntax-check']);
    expect(bad.code).toBe(4);
    expect(bad.stderr).toMatch(/bad\.yml:4:\d+: /);
  });
});

const listedHosts = (stdout: string) => [...stdout.matchAll(/^ {6}(\S+)$/gm)].map((m) => m[1]);

describe('config file and environment', () => {
  beforeEach(async () => {
    await ws.write('site.yml', '- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: { msg: hello }\n');
    await ws.write('inventories/cfg.yml', 'all:\n  hosts:\n    from-cfg: { ansible_connection: local }\n');
    await ws.write('inventories/env.yml', 'all:\n  hosts:\n    from-env: { ansible_connection: local }\n');
    await ws.write('inventories/ansible.yml', 'all:\n  hosts:\n    from-ansible-cfg: { ansible_connection: local }\n');
  });

  it('finds nop.cfg before ansible.cfg, takes its inventory relative to the file, and says which file with -v', async () => {
    await ws.write('ansible.cfg', '[defaults]\ninventory = inventories/ansible.yml\n');
    const ansible = await nop(['run', 'site.yml', '--list-hosts']);
    expect(listedHosts(ansible.stdout)).toEqual(['from-ansible-cfg']);
    await ws.write('nop.cfg', '# nop settings\n[defaults]\ninventory = inventories/cfg.yml  ; a comment\n');
    await mkdir(join(ws.dir, 'sub'));
    const fromSub = await nop(['run', '../site.yml', '--list-hosts'], { cwd: join(ws.dir, 'sub'), env: { NOP_CONFIG: '..' } });
    expect(listedHosts(fromSub.stdout)).toEqual(['from-cfg']);
    const verbose = await nop(['run', 'site.yml', '-v']);
    expect(verbose.code, verbose.stderr).toBe(0);
    expect(verbose.stdout).toContain(`Using ${join(ws.dir, 'nop.cfg')} as config file`);
    expect(verbose.stdout).toContain('from-cfg');
  });

  it('precedence: command line over NOP_* over ANSIBLE_* over the file over the default', async () => {
    await ws.write('nop.cfg', '[defaults]\ninventory = inventories/cfg.yml\n');
    const cases: [Record<string, string>, string[], string][] = [
      [{}, [], 'from-cfg'],
      [{ ANSIBLE_INVENTORY: 'inventories/ansible.yml' }, [], 'from-ansible-cfg'],
      [{ ANSIBLE_INVENTORY: 'inventories/ansible.yml', NOP_INVENTORY: 'inventories/env.yml' }, [], 'from-env'],
      [{ NOP_INVENTORY: 'inventories/env.yml' }, ['-i', 'inventory.yml'], 'alpha'],
    ];
    for (const [env, args, first] of cases) {
      const res = await nop(['run', 'site.yml', '--list-hosts', ...args], { env });
      expect(listedHosts(res.stdout)[0], JSON.stringify(env)).toBe(first);
    }
    const ansibleConfig = await nop(['run', 'site.yml', '--list-hosts'], { env: { ANSIBLE_CONFIG: join(ws.dir, 'elsewhere.cfg') } });
    expect(listedHosts(ansibleConfig.stdout)).toEqual(['from-cfg']);
    await ws.write('elsewhere.cfg', '[defaults]\ninventory = inventories/env.yml\n');
    const found = await nop(['run', 'site.yml', '--list-hosts'], { env: { ANSIBLE_CONFIG: join(ws.dir, 'elsewhere.cfg') } });
    expect(listedHosts(found.stdout)).toEqual(['from-env']);
  });

  it('forks from the config file, overridden by -f', async () => {
    // each host logs its start, waits for the other's start, logs its end: serial runs interleave nothing. Serially the
    // other never starts, so that run waits half a second; in parallel the wait ends when the other starts (120 s is only
    // a hang guard), so a slow machine cannot turn a parallel run into an apparent serial one
    await ws.write(
      'forks.yml',
      `- hosts: all\n  gather_facts: false\n  tasks:\n    - shell: "echo start >> {{ playbook_dir }}/log; for i in $(seq {{ polls }}); do [ $(grep -c start {{ playbook_dir }}/log) -ge 2 ] && break; sleep 0.1; done; echo end >> {{ playbook_dir }}/log"\n`,
    );
    await ws.write('nop.cfg', '[defaults]\nforks = 1\ninventory = inventory.yml\n');
    expect((await nop(['run', 'forks.yml', '-e', 'polls=5'])).code).toBe(0);
    expect(await readFile(join(ws.dir, 'log'), 'utf8')).toBe('start\nend\nstart\nend\n');
    await writeFile(join(ws.dir, 'log'), '');
    expect((await nop(['run', 'forks.yml', '-f', '2', '-e', 'polls=1200'])).code).toBe(0);
    expect(await readFile(join(ws.dir, 'log'), 'utf8')).toBe('start\nstart\nend\nend\n');
  });

  it('a bad value is a bad option (exit 5) naming where it is; an unknown nop.cfg key is a warning', async () => {
    await ws.write('nop.cfg', '[defaults]\ninventory = inventory.yml\nforks = many\n');
    const bad = await nop(['run', 'site.yml']);
    expect(bad.code).toBe(5);
    expect(bad.stderr).toContain(`ERROR! ${join(ws.dir, 'nop.cfg')}:3: forks must be a whole number, got "many"`);
    await ws.write('nop.cfg', '[defaults]\ninventory = inventory.yml\n');
    const env = await nop(['run', 'site.yml'], { env: { NOP_TIMEOUT: 'soon' } });
    expect(env.code).toBe(5);
    expect(env.stderr).toContain('ERROR! NOP_TIMEOUT: timeout must be a whole number, got "soon"');
    await ws.write('nop.cfg', '[defaults]\ninventory = inventory.yml\ngathering = smart\n');
    const unknown = await nop(['run', 'site.yml']);
    expect(unknown.code).toBe(0);
    expect(unknown.stderr).toContain(`[WARNING]: ${join(ws.dir, 'nop.cfg')}:3: "gathering" is not a nop setting`);
    await ws.write('nop.cfg', 'inventory = inventory.yml\n');
    const noSection = await nop(['run', 'site.yml']);
    expect(noSection.code).toBe(5);
    expect(noSection.stderr).toContain(`${join(ws.dir, 'nop.cfg')}:1: "inventory" comes before any [section] header`);
  });

  it('ignores a config file in a world-writable working directory, as Ansible does', async () => {
    await ws.write('nop.cfg', '[defaults]\ninventory = inventories/cfg.yml\n');
    await chmod(ws.dir, 0o777);
    const res = await nop(['run', 'site.yml', '--list-hosts', '-i', 'inventory.yml']);
    expect(res.stderr).toContain(`[WARNING]: nop is being run in a world writable directory (${ws.dir}), ignoring ${join(ws.dir, 'nop.cfg')} as a config file`);
    expect(listedHosts(res.stdout)).not.toContain('from-cfg');
  });
});

describe('connection flags', () => {
  it('-c local reaches a host without its own connection on this machine; -b and --become-user become, a play keyword wins', async () => {
    await ws.write('far.yml', 'all:\n  hosts:\n    far: { ansible_host: 203.0.113.1 }\n');
    await ws.write('who.yml', '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: id -un\n');
    const local = await nop(['run', 'who.yml', '-i', 'far.yml', '-c', 'local', '-v']);
    expect(local.code, local.stdout).toBe(0);
    expect(local.stdout).toContain('"stdout":"root"');
    const become = await nop(['run', 'who.yml', '-i', 'far.yml', '-c', 'local', '-b', '--become-user', 'nobody', '-v']);
    expect(become.code, become.stdout).toBe(0);
    expect(become.stdout).toContain('"stdout":"nobody"');
    await ws.write('nobecome.yml', '- hosts: all\n  gather_facts: false\n  become: false\n  tasks:\n    - command: id -un\n');
    const keyword = await nop(['run', 'nobecome.yml', '-i', 'far.yml', '-c', 'local', '-b', '--become-user', 'nobody', '-v']);
    expect(keyword.stdout).toContain('"stdout":"root"');
  });

  it('-vvv shows each remote command with secrets redacted', async () => {
    await ws.write('echo.yml', '- hosts: alpha\n  gather_facts: false\n  tasks:\n    - command: echo {{ db_password }}\n');
    const res = await nop(['run', 'echo.yml', '-i', 'inventory.yml', '-vvv', '-e', 'db_password=hunter2-in-argv']);
    expect(res.code, res.stdout).toBe(0);
    expect(res.stdout).toMatch(/^<alpha> ESTABLISH LOCAL CONNECTION FOR USER: root$/m);
    expect(res.stdout).toMatch(/^<alpha> EXEC \/bin\/sh -c ".*echo \*{8}.*"/m);
    expect(res.stdout).not.toContain('hunter2-in-argv');
  });
});

describe('SSH settings and flags against a real sshd', () => {
  let fleet: SshdFleet;
  beforeAll(async () => {
    fleet = await startSshdHosts(1, { passwordAuthentication: true });
  }, 60_000);
  afterAll(() => fleet?.stopAll());

  const host = () => fleet.hosts[0];
  const writeInventory = (extra = '') =>
    ws.write('ssh.yml', `all:\n  hosts:\n    host1: { ansible_host: ${host().address}, ansible_port: ${host().port}${extra} }\n`);
  const WHO = '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: id -un\n';

  it('ansible.cfg: remote_user, private_key_file, host_key_checking and timeout; -u and NOP_REMOTE_USER over the file', async () => {
    await writeInventory();
    await ws.write('who.yml', WHO);
    await ws.write('known_hosts', '');
    await ws.write('ansible.cfg', `[defaults]\nremote_user = noptest\nprivate_key_file = ${fleet.clientKey}\nhost_key_checking = False\ntimeout = 7\n`);
    const res = await nop(['run', 'who.yml', '-i', 'ssh.yml', '--known-hosts', 'known_hosts', '-vvv']);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toContain('"stdout":"noptest"');
    expect(res.stdout).toContain('<host1> ESTABLISH SSH CONNECTION FOR USER: noptest');
    expect(res.stdout).toContain(`<host1> SSH: noptest@${host().address}:${host().port}`);
    expect(res.stdout).toContain(`<host1> SSH: authentication: keys ${fleet.clientKey}`);
    expect(res.stdout).toContain('<host1> SSH: connect timeout 7 s');
    expect(res.stdout).toMatch(/<host1> EXEC \/bin\/sh -c ".*id -un.*"/);
    // host_key_checking = False: the unknown key was accepted and recorded
    expect(await readFile(join(ws.dir, 'known_hosts'), 'utf8')).toContain(`[${host().address}]:${host().port} ssh-ed25519 `);
    const cli = await nop(['run', 'who.yml', '-i', 'ssh.yml', '--known-hosts', 'known_hosts', '-v', '-u', 'noppass']);
    expect(cli.stdout).toContain('"stdout":"noppass"');
    const env = await nop(['run', 'who.yml', '-i', 'ssh.yml', '--known-hosts', 'known_hosts', '-v'], { env: { NOP_REMOTE_USER: 'noppass' } });
    expect(env.stdout).toContain('"stdout":"noppass"');
  });

  it('--private-key and -u on the command line; the inventory’s ansible_user wins over -u', async () => {
    await ws.write('who.yml', WHO);
    await writeInventory();
    const cli = await nop(['run', 'who.yml', '-i', 'ssh.yml', '--known-hosts', fleet.knownHostsPath, '-u', 'noptest', '--private-key', fleet.clientKey, '-v']);
    expect(cli.code, cli.stdout).toBe(0);
    expect(cli.stdout).toContain('"stdout":"noptest"');
    await writeInventory(', ansible_user: noppass');
    const inventory = await nop([
      'run',
      'who.yml',
      '-i',
      'ssh.yml',
      '--known-hosts',
      fleet.knownHostsPath,
      '-u',
      'noptest',
      '--private-key',
      fleet.clientKey,
      '-v',
    ]);
    expect(inventory.stdout).toContain('"stdout":"noppass"');
  });

  it('-k logs in with a password read without echo (stdin here), never shown; without it the host is unreachable', async () => {
    await ws.write('who.yml', WHO);
    await writeInventory();
    const args = ['run', 'who.yml', '-i', 'ssh.yml', '--known-hosts', fleet.knownHostsPath, '-u', 'noppass'];
    const refused = await nopBin(args);
    expect(refused.code).toBe(4);
    expect(refused.stdout).toContain('authentication failed');
    const res = await nopBin([...args, '-k', '-vvv'], { input: `${NOPPASS_PASSWORD}\n` });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toContain('"stdout":"noppass"');
    expect(res.stdout).toContain('then the password (-k)');
    expect(res.stdout + res.stderr).not.toContain(NOPPASS_PASSWORD);
  });
});
