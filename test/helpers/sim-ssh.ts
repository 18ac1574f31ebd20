import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SimHost } from '../../sim/host/create.js';

export interface SimSshAccess {
  /** inventory variables that reach the host over SSH as `user` (key, host key pinned in its own known_hosts) */
  vars: Record<string, unknown>;
  close(): Promise<void>;
}

/** A real sshd in the simulated host (root only) and what an inventory needs to log in to it. */
export const sshInto = async (host: SimHost, opts: { address?: string; user?: string } = {}): Promise<SimSshAccess> => {
  const dir = await mkdtemp(join(tmpdir(), 'nop-sim-ssh-'));
  await chmod(dir, 0o755);
  const key = join(dir, 'client_key');
  await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', key]);
  const user = opts.user ?? 'root';
  const sshd = await host.startSshd({ address: opts.address ?? '127.0.0.1', authorizedKey: await readFile(`${key}.pub`, 'utf8'), users: [user] });
  const knownHosts = join(dir, 'known_hosts');
  await writeFile(knownHosts, `${sshd.knownHostsLine}\n`, { mode: 0o600 });
  return {
    vars: {
      ansible_host: sshd.address,
      ansible_port: sshd.port,
      ansible_user: user,
      ansible_ssh_private_key_file: key,
      nop_known_hosts_file: knownHosts,
    },
    close: async () => {
      await sshd.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
};
