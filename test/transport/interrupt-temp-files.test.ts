import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../lib/runner/paths.js';
import { sshTransport } from '../../lib/transport/ssh.js';
import { eventually } from '../helpers/eventually.js';
import { type SshdFleet, type SshdHost, startSshdHosts, TEST_USERS } from '../helpers/sshd.js';
import { startTcpGate, type TcpGate } from '../helpers/tcp-gate.js';

// A large copy is held part way by a TCP gate between nop and sshd (the first MiB passes, the rest waits), so
// the interrupt lands while the temp file is half written, on any machine, with no timing involved.
const BIG = 30 * 1024 * 1024;
const BUDGET = 1024 * 1024;

let fleet: SshdFleet;
let host: SshdHost;
let local: string;
let bigFile: string;
let loginUid: number;

const gateTo = (h: SshdHost) => startTcpGate({ host: h.address, port: h.port }, BUDGET);
const knownHostsFor = async (gate: TcpGate) => {
  const path = join(local, `known_hosts_${gate.port}`);
  await writeFile(path, `[${gate.address}]:${gate.port} ${host.hostKeyPub}\n`);
  return path;
};
const tempsIn = async (dir: string) => (await readdir(dir)).filter((n) => n.includes('.nop-'));

beforeAll(async () => {
  fleet = await startSshdHosts(1);
  host = fleet.hosts[0];
  local = await mkdtemp(join(tmpdir(), 'nop-interrupt-'));
  bigFile = join(local, 'model.bin');
  await writeFile(bigFile, randomBytes(BIG));
  const { execFileSync } = await import('node:child_process');
  loginUid = Number(execFileSync('id', ['-u', TEST_USERS.passwordless]).toString().trim());
});

afterAll(async () => {
  await fleet?.stopAll();
  if (local) await rm(local, { recursive: true, force: true });
});

const destDir = async (name: string) => {
  const dir = join(host.workDir, name);
  await mkdir(dir);
  await chown(dir, loginUid, loginUid);
  const dest = join(dir, 'model.bin');
  await writeFile(dest, 'original');
  await chown(dest, loginUid, loginUid);
  return { dir, dest };
};

describe('an interrupted large copy leaves no temp file behind', () => {
  it('nop run, Ctrl-C twice during a copy over SFTP: exit 99, the original kept, no temp file', async () => {
    const gate = await gateTo(host);
    try {
      const { dir, dest } = await destDir('cli');
      const inventory = join(local, 'inventory.yml');
      await writeFile(
        inventory,
        stringify({
          all: {
            hosts: {
              gpu1: {
                ansible_host: gate.address,
                ansible_port: gate.port,
                ansible_user: TEST_USERS.passwordless,
                ansible_ssh_private_key_file: fleet.clientKey,
              },
            },
          },
        }),
      );
      const playbook = join(local, 'copy.yml');
      await writeFile(playbook, `- hosts: all\n  gather_facts: false\n  tasks:\n    - copy: { src: "${bigFile}", dest: "${dest}" }\n`);
      const child = spawn(
        process.execPath,
        [join(packageRoot, 'bin', 'nop.js'), 'run', playbook, '-i', inventory, '--known-hosts', await knownHostsFor(gate)],
        {
          env: { ...process.env, CI: '1' },
        },
      );
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.stdout.on('data', (d) => (stdout += d));
      let code: number | null | undefined;
      const exited = new Promise<number | null>((resolve) =>
        child.on('close', (c) => {
          code = c;
          resolve(c);
        }),
      );

      await eventually(
        async () => ({ temps: await tempsIn(dir), held: gate.held() }),
        (s) => s.temps.length === 1 && s.held > 0,
        'the upload to be held part way',
      );
      child.kill('SIGINT');
      await eventually(
        async () => stderr,
        (s) => s.includes('User interrupted execution'),
        'the first Ctrl-C to be seen',
      );
      child.kill('SIGINT');
      // nop is quitting (or gone): from here on, nothing more of the upload may land
      await eventually(
        async () => ({ stderr, code }),
        (s) => s.stderr.includes('quitting') || s.code !== undefined,
        'the second Ctrl-C to be seen',
      );
      gate.release();

      expect(await exited, `${stdout}\n${stderr}`).toBe(99);
      expect(await readFile(dest, 'utf8')).toBe('original');
      expect(await tempsIn(dir)).toEqual([]);
    } finally {
      await gate.close();
    }
  });

  it('closing the transport mid-write as the become user: the install script removes its own temp file', async () => {
    const gate = await gateTo(host);
    try {
      const { dir, dest } = await destDir('become');
      const t = await sshTransport({
        host: gate.address,
        port: gate.port,
        user: TEST_USERS.passwordless,
        privateKeyPath: fleet.clientKey,
        knownHostsPath: await knownHostsFor(gate),
      });
      const put = t.putFile(dest, bigFile, { become: { user: 'root' } });
      put.catch(() => undefined);
      await eventually(
        async () => ({ temps: await tempsIn(dir), held: gate.held() }),
        (s) => s.temps.length === 1 && s.held > 0,
        'the write to be held part way',
      );
      const closed = t.close();
      gate.release();
      await closed;
      await expect(put).rejects.toThrow(/closed/);
      await eventually(
        () => tempsIn(dir),
        (temps) => temps.length === 0,
        'the temp file to be removed',
      );
      expect(await readFile(dest, 'utf8')).toBe('original');
    } finally {
      await gate.close();
    }
  });
});
