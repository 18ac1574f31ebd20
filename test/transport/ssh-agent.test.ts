import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshTransport } from '../../lib/transport/ssh.js';
import { startSshdHosts, type SshdFleet } from '../helpers/sshd.js';

const run = promisify(execFile);
let fleet: SshdFleet;
let dir: string;
let agent: ChildProcess;
let socket: string;

beforeAll(async () => {
  fleet = await startSshdHosts(1);
  dir = await mkdtemp(join(tmpdir(), 'nop-agent-'));
  socket = join(dir, 'agent.sock');
  agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const added = await run('ssh-add', [fleet.clientKey], { env: { ...process.env, SSH_AUTH_SOCK: socket } }).then(
      () => true,
      () => false,
    );
    if (added) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('ssh-agent did not start');
});

afterAll(async () => {
  agent?.kill();
  await fleet?.stopAll();
  await rm(dir, { recursive: true, force: true });
});

describe('ssh-agent', () => {
  it('authenticates with an identity from SSH_AUTH_SOCK when no key file is given', async () => {
    const h = fleet.hosts[0];
    const saved = { sock: process.env.SSH_AUTH_SOCK, home: process.env.HOME };
    // no key file, and a HOME without ~/.ssh: only the agent can authenticate
    process.env.SSH_AUTH_SOCK = socket;
    process.env.HOME = dir;
    try {
      const t = await sshTransport({ host: h.address, port: h.port, user: 'noptest', knownHostsPath: fleet.knownHostsPath });
      expect((await t.exec('id -un')).stdout).toBe('noptest\n');
      await t.close();
    } finally {
      process.env.SSH_AUTH_SOCK = saved.sock;
      process.env.HOME = saved.home;
      if (saved.sock === undefined) delete process.env.SSH_AUTH_SOCK;
    }
  });
});
