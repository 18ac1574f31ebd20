import { readFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import SSHConfig from 'ssh-config';

/** What `~/.ssh/config` says about one host, with `~` and `%` tokens already expanded. */
export interface SshConfigHost {
  hostName: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  proxyJump?: string;
  userKnownHostsFiles: string[];
}

export const defaultSshConfigPath = (): string => join(homedir(), '.ssh', 'config');

const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

const all = (value: string | string[] | undefined): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).flatMap((v) => v.split(/\s+/)).filter(Boolean);

/** The subset of ssh_config(5) TOKENS that make sense for paths: %d %h %p %r %u %%, and a leading `~`. */
const expandTokens = (value: string, tokens: { host: string; port: number; user: string }): string => {
  const home = homedir();
  const map: Record<string, string> = {
    '%': '%',
    d: home,
    h: tokens.host,
    p: String(tokens.port),
    r: tokens.user,
    u: userInfo().username,
  };
  const expanded = value.replace(/%([%dhpru])/g, (_, t: string) => map[t]);
  return expanded === '~' || expanded.startsWith('~/') ? home + expanded.slice(1) : expanded;
};

/**
 * Resolve `alias` the way `ssh alias` would read the config file (first value wins, `Host *` last).
 * A missing config file resolves to the alias itself. `Match exec` is never run: config is data here.
 */
export const resolveSshConfig = async (alias: string, opts: { configPath?: string; user?: string } = {}): Promise<SshConfigHost> => {
  const text = await readFile(opts.configPath ?? defaultSshConfigPath(), 'utf8').catch(() => '');
  const computed = SSHConfig.parse(text).compute({ Host: alias, ...(opts.user ? { User: opts.user } : {}) }, { ignoreCase: true, matchExec: false });
  const hostName = first(computed.hostname) ?? alias;
  const portText = first(computed.port);
  const port = portText === undefined ? undefined : Number(portText);
  const user = first(computed.user);
  const tokens = { host: hostName, port: port ?? 22, user: opts.user ?? user ?? userInfo().username };
  const proxyJump = first(computed.proxyjump);
  return {
    hostName: expandTokens(hostName, { ...tokens, host: alias }),
    user,
    port: port !== undefined && Number.isInteger(port) ? port : undefined,
    identityFiles: all(computed.identityfile).map((f) => expandTokens(f, tokens)),
    proxyJump: proxyJump === undefined || proxyJump.toLowerCase() === 'none' ? undefined : proxyJump,
    userKnownHostsFiles: all(computed.userknownhostsfile).map((f) => expandTokens(f, tokens)),
  };
};
