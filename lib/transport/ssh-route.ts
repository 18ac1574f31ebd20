import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { IdentityStore } from './identity-store.js';
import { createKnownHostsStore, type KnownHostsStore } from './known-hosts-store.js';
import { resolveSshConfig, type SshConfigHost } from './ssh-config.js';
import { defaultIdentityFiles, type HostKeyPolicy, type SshEndpoint } from './ssh-connection.js';
import { parseProxyJump, type JumpHost } from './ssh-proxy-jump.js';

/** How to reach a host over SSH. Explicit values win over `~/.ssh/config`. */
export interface SshTransportOptions {
  /** host name, address, or a `Host` alias of the ssh config */
  host: string;
  port?: number;
  user?: string;
  /** ansible_ssh_private_key_file: tried before the config's IdentityFile entries and the agent */
  privateKeyPath?: string;
  /** -k: tried after the keys and the agent (password and keyboard-interactive authentication) */
  password?: string;
  /** ProxyJump spec: `user@host:port`, or a comma-separated chain */
  proxyJump?: string;
  /** trust only this known_hosts file (and record accepted keys in it) instead of the user's files */
  knownHostsPath?: string;
  /** record unknown host keys instead of refusing them; changed keys are refused regardless */
  acceptNewHostKeys?: boolean;
  /** the known_hosts files as parsed for this run, shared by its connections (by default, this connection's own) */
  knownHosts?: KnownHostsStore;
  /** the identity files as parsed for this run, shared by its connections (by default, this connection's own) */
  identities?: IdentityStore;
  connectTimeoutMs?: number;
  /** defaults to ~/.ssh/config */
  sshConfigPath?: string;
}

/** One leg of the route: where to connect and which host keys to trust there. */
export interface SshHop {
  endpoint: SshEndpoint;
  policy: HostKeyPolicy;
}

const GLOBAL_KNOWN_HOSTS = '/etc/ssh/ssh_known_hosts';

const hostKeyPolicy = (config: SshConfigHost, opts: SshTransportOptions, store: KnownHostsStore): HostKeyPolicy => {
  const acceptNewHostKeys = opts.acceptNewHostKeys ?? false;
  if (opts.knownHostsPath) return { knownHostsFiles: [opts.knownHostsPath], recordFile: opts.knownHostsPath, acceptNewHostKeys, store };
  const userFiles = config.userKnownHostsFiles.length
    ? config.userKnownHostsFiles
    : [join(homedir(), '.ssh', 'known_hosts'), join(homedir(), '.ssh', 'known_hosts2')];
  return { knownHostsFiles: [...userFiles, GLOBAL_KNOWN_HOSTS], recordFile: userFiles[0], acceptNewHostKeys, store };
};

const resolveHop = async (
  target: JumpHost,
  opts: SshTransportOptions,
  extraIdentity: string | undefined,
  store: KnownHostsStore,
): Promise<SshHop & { proxyJump?: string }> => {
  const config = await resolveSshConfig(target.host, { configPath: opts.sshConfigPath, user: target.user });
  const identities = [...(extraIdentity ? [extraIdentity] : []), ...config.identityFiles];
  return {
    endpoint: {
      host: config.hostName,
      port: target.port ?? config.port ?? 22,
      user: target.user ?? config.user ?? userInfo().username,
      identityFiles: identities.length ? identities : defaultIdentityFiles(),
      password: opts.password,
    },
    policy: hostKeyPolicy(config, opts, store),
    proxyJump: config.proxyJump,
  };
};

/**
 * Resolve the legs to connect through, in order: the ProxyJump hops, then the target itself (always last).
 * Jump hosts are looked up in the ssh config like the target; the explicit key is offered to them too.
 */
export const resolveSshRoute = async (opts: SshTransportOptions): Promise<SshHop[]> => {
  const store = opts.knownHosts ?? createKnownHostsStore();
  const target = await resolveHop({ host: opts.host, port: opts.port, user: opts.user }, opts, opts.privateKeyPath, store);
  const spec = opts.proxyJump ?? target.proxyJump;
  const jumps = spec ? parseProxyJump(spec) : [];
  const hops = await Promise.all(jumps.map((jump) => resolveHop(jump, opts, opts.privateKeyPath, store)));
  return [...hops, target].map(({ endpoint, policy }) => ({ endpoint, policy }));
};
