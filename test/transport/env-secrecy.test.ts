import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localTransport } from '../../lib/transport/local.js';
import { sshTransport } from '../../lib/transport/ssh.js';
import type { Become, Transport } from '../../lib/transport/transport.js';
import { results, type Workspace, workspace } from '../runner/helpers.js';
import { NOPPASS_PASSWORD, type SshdFleet, startSshdHosts, TEST_USERS } from '../helpers/sshd.js';

// Env values (HF_TOKEN, task `environment`) reach the command on both transports, through become, and never
// appear in any process's argv on the host. The command itself lists every process while it and all its
// ancestors (sshd session, timeout, sudo, sh -c) are alive, so the sample cannot miss them.
let fleet: SshdFleet;
const open: Transport[] = [];

const login = async (user: string) => {
  const h = fleet.hosts[0];
  const t = await sshTransport({ host: h.address, port: h.port, user, privateKeyPath: fleet.clientKey, knownHostsPath: fleet.knownHostsPath });
  open.push(t);
  return t;
};

beforeAll(async () => {
  fleet = await startSshdHosts(1);
});

afterAll(async () => {
  await Promise.all(open.map((t) => t.close()));
  await fleet?.stopAll();
});

interface Case {
  name: string;
  transport: () => Promise<Transport>;
  become?: Become;
  /** who the command must run as */
  user: string;
}

const cases: Case[] = [
  { name: 'ssh', transport: () => login(TEST_USERS.passwordless), user: TEST_USERS.passwordless },
  { name: 'ssh with become (sudo -n)', transport: () => login(TEST_USERS.passwordless), become: { user: 'root' }, user: 'root' },
  {
    name: 'ssh with become (sudo password on stdin)',
    transport: () => login(TEST_USERS.withPassword),
    become: { user: 'root', password: NOPPASS_PASSWORD },
    user: 'root',
  },
  { name: 'local', transport: async () => localTransport(), user: 'root' },
  {
    name: 'local with become (sudo resets the environment it is given)',
    transport: async () => localTransport(),
    become: { user: TEST_USERS.passwordless },
    user: TEST_USERS.passwordless,
  },
  {
    name: 'local with a launcher and become',
    transport: async () => localTransport({ launcher: ['env', 'NOP_LAUNCHED=1'] }),
    become: { user: TEST_USERS.passwordless },
    user: TEST_USERS.passwordless,
  },
];

const SCRIPT = `printf '%s\\n' "$(id -un)"; printf '%s' "$NOP_SECRET" | od -An -tx1 | tr -d ' \\n'; echo; cat; echo; ps -eww -o args`;

describe('env values reach the command and never a process argv', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const t = await c.transport();
      const secret = `hf_${randomBytes(12).toString('hex')}`;
      // a value that is hard to carry: quotes, $(), a backslash, newlines (one trailing), leading spaces
      const value = `  ${secret} 'q' "d" $(id) \\n\nsecond line\n`;
      const res = await t.exec(SCRIPT, { env: { NOP_SECRET: value, NOP_PLAIN: 'x' }, become: c.become, stdin: 'caller stdin', timeoutMs: 30_000 });
      expect(res.code).toBe(0);
      const [user, hex, stdin, ...ps] = res.stdout.split('\n');
      expect(user).toBe(c.user);
      expect(Buffer.from(hex, 'hex').toString()).toBe(value);
      expect(stdin).toBe('caller stdin');
      expect(ps.length).toBeGreaterThan(3);
      expect(ps.join('\n')).toContain('ps -eww -o args');
      expect(ps.join('\n')).not.toContain(secret);
    });
  }

  it('refuses a variable name a shell could read as code', async () => {
    await expect(localTransport().exec('true', { env: { 'A;touch /tmp/x': '1' } })).rejects.toThrow(/invalid environment variable name/);
  });
});

describe('task environment through the runner, with become', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await workspace();
    const h = fleet.hosts[0];
    await ws.write(
      'inventory.yml',
      stringify({
        all: {
          hosts: {
            over_ssh: { ansible_host: h.address, ansible_port: h.port, ansible_user: TEST_USERS.passwordless, ansible_ssh_private_key_file: fleet.clientKey },
            on_local: { ansible_connection: 'local', ansible_become_user: TEST_USERS.passwordless },
          },
        },
      }),
    );
    await ws.write(
      'env.yml',
      `- hosts: all
  gather_facts: false
  become: true
  environment: { HF_TOKEN: "{{ hub_value }}" }
  tasks:
    - name: play environment
      shell: printf '%s %s' "$(id -un)" "$HF_TOKEN"
    - name: task environment
      shell: printf %s "$NOP_TASK_VAR"
      environment: { NOP_TASK_VAR: from-task }
`,
    );
  });
  afterAll(() => ws?.cleanup());

  it('keeps the play and task environment on both transports', async () => {
    const run = await ws.run('env.yml', { extraVars: { hub_value: 'hf_playbook_token' }, connectOptions: { knownHostsPath: fleet.knownHostsPath } });
    expect(run.code).toBe(0);
    const out = Object.fromEntries(results(run.events).map((r) => [`${r.host}/${r.task}`, String(r.result.stdout)]));
    expect(out).toEqual({
      'over_ssh/play environment': 'root hf_playbook_token',
      'over_ssh/task environment': 'from-task',
      'on_local/play environment': `${TEST_USERS.passwordless} hf_playbook_token`,
      'on_local/task environment': 'from-task',
    });
  });
});
