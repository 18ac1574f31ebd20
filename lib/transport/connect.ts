import { homedir } from 'node:os';
import { z } from 'zod';
import { describeConnection, withCommandLog, type CommandLog } from './command-log.js';
import type { IdentityStore } from './identity-store.js';
import type { KnownHostsStore } from './known-hosts-store.js';
import { localTransport } from './local.js';
import { proxyJumpFromSshArgs } from './ssh-proxy-jump.js';
import type { Become, Transport } from './transport.js';

/** The inventory variables that decide how a host is reached (Ansible's names, plus nop_known_hosts_file). */
export const ConnectionVarsSchema = z.object({
  /** `smart` is Ansible's alias for ssh */
  ansible_connection: z.enum(['local', 'ssh', 'smart']).optional(),
  ansible_host: z.string().min(1).optional(),
  ansible_port: z.coerce.number().int().min(1).max(65535).optional(),
  ansible_user: z.string().min(1).optional(),
  ansible_ssh_private_key_file: z.string().min(1).optional(),
  ansible_ssh_common_args: z.string().optional(),
  ansible_become_password: z.string().optional(),
  nop_known_hosts_file: z.string().min(1).optional(),
});
export type ConnectionVars = z.infer<typeof ConnectionVarsSchema>;

/** Run-wide connection settings; inventory variables override them per host. */
export interface ConnectOptions {
  acceptNewHostKeys?: boolean;
  knownHostsPath?: string;
  connectTimeoutMs?: number;
  /** default timeout of every command that does not set its own */
  commandTimeoutMs?: number;
  /** sudo password for every become that does not carry its own */
  becomePassword?: string;
  /** the run's parsed known_hosts files (createKnownHostsStore), so they are read once per run, not per host */
  knownHosts?: KnownHostsStore;
  /** the run's parsed identity files (createIdentityStore), so each key is parsed once per run, not per host */
  identities?: IdentityStore;
  /** -u: the login of hosts whose inventory sets no ansible_user */
  remoteUser?: string;
  /** --private-key: the key of hosts whose inventory sets no ansible_ssh_private_key_file */
  privateKeyFile?: string;
  /** -c: how hosts whose inventory sets no ansible_connection are reached (localhost stays local) */
  connection?: 'local' | 'ssh';
  /** -k: the SSH password, tried after keys and the agent */
  password?: string;
  /** -vvv: how each host is reached and every command run on it */
  log?: CommandLog;
}

const expandHome = (path: string): string => (path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path);

/** Fill a run-wide become password and command timeout into calls that do not set them. */
const withDefaults = (transport: Transport, becomePassword: string | undefined, timeoutMs: number | undefined): Transport => {
  if (becomePassword === undefined && timeoutMs === undefined) return transport;
  const become = (b: Become | undefined): Become | undefined =>
    b && b.password === undefined && becomePassword !== undefined ? { ...b, password: becomePassword } : b;
  return {
    ...transport,
    exec: (script, opts = {}) => transport.exec(script, { ...opts, become: become(opts.become), timeoutMs: opts.timeoutMs ?? timeoutMs }),
    put: (dest, content, opts = {}) => transport.put(dest, content, { ...opts, become: become(opts.become) }),
    putFile: (dest, localPath, opts = {}) => transport.putFile(dest, localPath, { ...opts, become: become(opts.become) }),
    get: (path, opts = {}) => transport.get(path, { ...opts, become: become(opts.become) }),
  };
};

/**
 * The transport for one inventory host: local for `ansible_connection: local` (and for `localhost` unless set),
 * otherwise one SSH connection. Throws UnreachableError when the host cannot be reached.
 */
export const connectTransport = async (hostname: string, vars: Record<string, unknown>, opts: ConnectOptions = {}): Promise<Transport> => {
  const parsed = ConnectionVarsSchema.safeParse(vars);
  if (!parsed.success) throw new Error(`host ${hostname}: invalid connection variables: ${z.prettifyError(parsed.error)}`);
  const v = parsed.data;
  const becomePassword = v.ansible_become_password ?? opts.becomePassword;
  const connection = v.ansible_connection ?? (hostname === 'localhost' ? 'local' : (opts.connection ?? 'ssh'));
  const logged = (t: Transport) => (opts.log ? withCommandLog(t, (line) => opts.log?.(hostname, line)) : t);
  if (connection === 'local') {
    opts.log?.(hostname, describeConnection({ kind: 'local' }));
    return withDefaults(logged(localTransport()), becomePassword, opts.commandTimeoutMs);
  }
  const privateKey = v.ansible_ssh_private_key_file ?? opts.privateKeyFile;
  const sshOptions = {
    host: v.ansible_host ?? hostname,
    port: v.ansible_port,
    user: v.ansible_user ?? opts.remoteUser,
    privateKeyPath: privateKey && expandHome(privateKey),
    password: opts.password,
    proxyJump: v.ansible_ssh_common_args ? proxyJumpFromSshArgs(v.ansible_ssh_common_args) : undefined,
    knownHostsPath: v.nop_known_hosts_file ? expandHome(v.nop_known_hosts_file) : opts.knownHostsPath,
    acceptNewHostKeys: opts.acceptNewHostKeys,
    knownHosts: opts.knownHosts,
    identities: opts.identities,
    connectTimeoutMs: opts.connectTimeoutMs,
  };
  // ssh2 loads only when a host needs it: local runs start faster
  const { sshTransport } = await import('./ssh.js');
  if (opts.log) {
    const { resolveSshRoute } = await import('./ssh-route.js');
    opts.log(hostname, describeConnection({ kind: 'ssh', route: await resolveSshRoute(sshOptions), options: sshOptions }));
  }
  return withDefaults(logged(await sshTransport(sshOptions)), becomePassword, opts.commandTimeoutMs);
};
