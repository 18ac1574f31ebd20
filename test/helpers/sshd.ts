import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { accepts, freePort } from '../../sim/host/tcp.js';

/** The throwaway sudo password test/setup/ensure-sshd.mjs gives the `noppass` user. */
export const NOPPASS_PASSWORD = 'nop-throwaway-sudo-pw';
/**
 * A user with passwordless sudo, one whose sudo asks for NOPPASS_PASSWORD, and one whose login shell prints a
 * banner on stdout and stderr before every command (created by ensure-sshd.mjs).
 */
export const TEST_USERS = { passwordless: 'noptest', withPassword: 'noppass', chatty: 'nopbanner' } as const;

const SSHD = '/usr/sbin/sshd';
const run = promisify(execFile);

export type HostKeyType = 'ed25519' | 'ecdsa' | 'rsa';

export interface SshdHost {
  name: string;
  address: string;
  port: number;
  /** `type base64` of the host's first key type */
  hostKeyPub: string;
  /** every host public key, one `type base64` per key type */
  hostKeyPubs: string[];
  /** a scratch directory on "the host" (the same filesystem), writable by every test user */
  workDir: string;
  /** the sshd listening for this host (undefined while stopped): its children are the host's connections */
  pid(): number | undefined;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export interface SshdFleet {
  hosts: SshdHost[];
  /** private key (ed25519) authorized for root, noptest and noppass on every host */
  clientKey: string;
  /** known_hosts with every host's keys, `[address]:port` form */
  knownHostsPath: string;
  /** the fleet's temp dir (keys, configs, known_hosts); removed by stopAll */
  dir: string;
  stopAll(): Promise<void>;
}

export interface SshdOptions {
  hostKeyTypes?: HostKeyType[];
  /** let `noppass` log in with NOPPASS_PASSWORD (off by default: keys only) */
  passwordAuthentication?: boolean;
}

const keygen = async (path: string, type: HostKeyType) => {
  await run('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', '', '-f', path]);
  const [kind, base64] = (await readFile(`${path}.pub`, 'utf8')).trim().split(/\s+/);
  return `${kind} ${base64}`;
};

const sshdConfig = (dir: string, address: string, port: number, hostKeys: string[], passwords: boolean) =>
  [
    `ListenAddress ${address}:${port}`,
    ...hostKeys.map((k) => `HostKey ${k}`),
    'PidFile none',
    'StrictModes no',
    'UsePAM no',
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PubkeyAuthentication yes',
    `PasswordAuthentication ${passwords ? 'yes' : 'no'}`,
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    `AllowUsers root ${Object.values(TEST_USERS).join(' ')}`,
    'AllowTcpForwarding yes',
    'MaxStartups 100',
    'LogLevel ERROR',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');

/** Every descendant of pid (sshd forks one process per connection, and that one the session). */
const descendants = async (pid: number): Promise<number[]> => {
  const parents = new Map<number, number[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // the command name (field 2) may contain spaces; ppid is the second field after its closing paren
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
  }
  const out: number[] = [];
  const walk = (p: number) => (parents.get(p) ?? []).forEach((c) => (out.push(c), walk(c)));
  walk(pid);
  return out;
};

const killTree = async (child: ChildProcess) => {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const pids = [child.pid, ...(await descendants(child.pid))];
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await exited;
};

// a worker torn down mid-test must not leave a daemon behind: one exit hook for every daemon it started
const daemons = new Set<ChildProcess>();
process.once('exit', () => daemons.forEach((d) => d.kill('SIGKILL')));

const startDaemon = async (configPath: string, address: string, port: number): Promise<ChildProcess> => {
  const child = spawn(SSHD, ['-D', '-e', '-f', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  daemons.add(child);
  child.once('exit', () => daemons.delete(child));
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sshd on ${address}:${port} exited: ${stderr.trim()}`);
    if (await accepts(address, port)) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
};

const startHost = async (dir: string, index: number, types: HostKeyType[], passwords: boolean) => {
  const name = `host${index + 1}`;
  const address = `127.0.0.${index + 2}`;
  const hostDir = join(dir, name);
  const workDir = join(hostDir, 'work');
  await mkdir(workDir, { recursive: true });
  await chmod(hostDir, 0o755);
  await chmod(workDir, 0o1777);
  const keyPaths = types.map((t) => join(hostDir, `ssh_host_${t}_key`));
  const hostKeyPubs = await Promise.all(keyPaths.map((p, i) => keygen(p, types[i])));
  const configPath = join(hostDir, 'sshd_config');
  // the port is free when probed; another process may take it before sshd binds, so retry with a new one
  for (let attempt = 1; ; attempt++) {
    const port = await freePort(address);
    await writeFile(configPath, sshdConfig(dir, address, port, keyPaths, passwords));
    try {
      let child = await startDaemon(configPath, address, port);
      const host: SshdHost = {
        name,
        address,
        port,
        hostKeyPub: hostKeyPubs[0],
        hostKeyPubs,
        workDir,
        pid: () => (child.exitCode === null && child.signalCode === null ? child.pid : undefined),
        stop: () => killTree(child),
        start: async () => {
          if (child.exitCode === null && child.signalCode === null) return;
          child = await startDaemon(configPath, address, port);
        },
      };
      return host;
    } catch (err) {
      if (attempt >= 5) throw err;
    }
  }
};

/**
 * Start n real OpenSSH servers on 127.0.0.2 … 127.0.0.(n+1), each on a free port with its own host keys.
 * Needs root, /usr/sbin/sshd and the users made by test/setup/ensure-sshd.mjs.
 */
export const startSshdHosts = async (n: number, opts: SshdOptions = {}): Promise<SshdFleet> => {
  const dir = await mkdtemp(join(tmpdir(), 'nop-sshd-'));
  await chmod(dir, 0o755); // sshd reads authorized_keys as the logging-in user
  const hosts: SshdHost[] = [];
  const stopAll = async () => {
    await Promise.all(hosts.map((h) => h.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const clientKey = join(dir, 'client_key');
    const clientPub = await keygen(clientKey, 'ed25519');
    await writeFile(join(dir, 'authorized_keys'), `${clientPub}\n`, { mode: 0o644 });
    // in parallel: each host has its own address, keys and config; a host that failed to start leaves the others to stopAll
    const started = await Promise.allSettled(
      Array.from({ length: n }, (_, i) => startHost(dir, i, opts.hostKeyTypes ?? ['ed25519'], opts.passwordAuthentication ?? false)),
    );
    for (const s of started) if (s.status === 'fulfilled') hosts.push(s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    const knownHostsPath = join(dir, 'known_hosts');
    const lines = hosts.flatMap((h) => h.hostKeyPubs.map((k) => `[${h.address}]:${h.port} ${k}`));
    await writeFile(knownHostsPath, `${lines.join('\n')}\n`, { mode: 0o600 });
    return { hosts, clientKey, knownHostsPath, dir, stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
};
