/**
 * A real OpenSSH server inside a simulated host (root only: sshd switches users), so a test reaches the host as it
 * would a server: the ordinary ssh transport, host keys, known_hosts, users and sudo. Its files live in the
 * host's /var/lib/nop-sim/sshd; it runs in the host's namespace, so every session sees the host's files and shims.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { SimHost } from './create.js';
import { accepts, freePort } from './tcp.js';

export interface SimSshdOptions {
  /** a loopback address, e.g. 127.0.0.5 */
  address: string;
  /** the authorized_keys line (every allowed user) */
  authorizedKey: string;
  /** who may log in (default root); their home directories are made in the host */
  users?: string[];
}

export interface SimSshd {
  address: string;
  port: number;
  /** `type base64` of the host key */
  hostKeyPub: string;
  /** the known_hosts line for it */
  knownHostsLine: string;
  stop(): Promise<void>;
}

const DIR = '/var/lib/nop-sim/sshd';

const config = (address: string, port: number, users: string[]) =>
  [
    `ListenAddress ${address}:${port}`,
    `HostKey ${DIR}/ssh_host_ed25519_key`,
    'PidFile none',
    'StrictModes no',
    'UsePAM no',
    `AuthorizedKeysFile ${DIR}/authorized_keys`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    `AllowUsers ${users.join(' ')}`,
    'AllowTcpForwarding yes',
    'MaxStartups 100',
    'LogLevel ERROR',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');

const startDaemon = async (host: SimHost, address: string, port: number): Promise<ChildProcess> => {
  const [cmd, ...args] = host.launcher;
  const child = spawn(cmd, [...args, '/usr/sbin/sshd', '-D', '-e', '-f', `${DIR}/sshd_config`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sshd on ${address}:${port} exited: ${stderr.trim()}`);
    if (await accepts(address, port)) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
};

export const startSimSshd = async (host: SimHost, o: SimSshdOptions): Promise<SimSshd> => {
  if (process.getuid?.() !== 0) throw new Error('a simulated host runs sshd only when the simulator runs as root');
  const users = o.users ?? ['root'];
  await mkdir(host.path(DIR), { recursive: true, mode: 0o755 });
  const key = host.path(`${DIR}/ssh_host_ed25519_key`);
  await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', key]);
  const [kind, base64] = (await readFile(`${key}.pub`, 'utf8')).trim().split(/\s+/);
  await writeFile(host.path(`${DIR}/authorized_keys`), `${o.authorizedKey.trim()}\n`, { mode: 0o644 });
  const homes = await host.sh(
    users
      .filter((u) => u !== 'root')
      .map((u) => `h=$(getent passwd '${u}' | cut -d: -f6) && mkdir -p "$h" && chown '${u}:' "$h"`)
      .join('\n') || 'true',
  );
  if (homes.code !== 0) throw new Error(`sshd users: ${homes.stderr.trim()}`);
  // the port is free when probed; another process may take it before sshd binds, so retry with a new one
  for (let attempt = 1; ; attempt++) {
    const port = await freePort(o.address);
    await writeFile(host.path(`${DIR}/sshd_config`), config(o.address, port, users));
    try {
      const child = await startDaemon(host, o.address, port);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      return {
        address: o.address,
        port,
        hostKeyPub: `${kind} ${base64}`,
        knownHostsLine: `[${o.address}]:${port} ${kind} ${base64}`,
        stop: async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGKILL');
          await exited;
        },
      };
    } catch (err) {
      if (attempt >= 5) throw err;
    }
  }
};
