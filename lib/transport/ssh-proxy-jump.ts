/** One hop of a ProxyJump chain; unset fields come from the hop's own ssh config entry. */
export interface JumpHost {
  host: string;
  port?: number;
  user?: string;
}

const parseHop = (hop: string): JumpHost => {
  const match = /^(?:ssh:\/\/)?(?:([^@]+)@)?(\[[^\]]+\]|[^:@]+)(?::(\d+))?$/.exec(hop.trim());
  if (!match) throw new Error(`invalid ProxyJump hop: ${JSON.stringify(hop)}`);
  const [, user, rawHost, port] = match;
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  return { host, ...(user ? { user } : {}), ...(port ? { port: Number(port) } : {}) };
};

/** `user@a:2222,b` → the hops in connection order (the first is reached directly). */
export const parseProxyJump = (spec: string): JumpHost[] =>
  spec
    .split(',')
    .filter((h) => h.trim() !== '')
    .map(parseHop);

/** Split like a POSIX shell would for plain words and '…' / "…" quoting (no expansions). */
const splitArgs = (args: string): string[] => {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(args); m; m = re.exec(args)) words.push(m[1]?.replace(/\\(.)/g, '$1') ?? m[2] ?? m[3]);
  return words;
};

const optionValue = (option: string, name: string): string | undefined => {
  const match = new RegExp(`^${name}\\s*[=\\s]\\s*(.+)$`, 'i').exec(option.trim());
  return match?.[1];
};

/**
 * The jump spec inside an `ansible_ssh_common_args` string (`-J spec`, `-Jspec`, `-o ProxyJump=spec`).
 * A ProxyCommand is refused rather than ignored: silently connecting directly would bypass the bastion.
 */
export const proxyJumpFromSshArgs = (args: string): string | undefined => {
  const words = splitArgs(args);
  let jump: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const option = word === '-o' ? (words[++i] ?? '') : word.startsWith('-o') ? word.slice(2) : undefined;
    if (word === '-J') jump ??= words[++i];
    else if (word.startsWith('-J')) jump ??= word.slice(2);
    else if (option !== undefined && optionValue(option, 'ProxyCommand') !== undefined)
      throw new Error('ansible_ssh_common_args: ProxyCommand is not supported, use -o ProxyJump=user@host:port');
    else if (option !== undefined) jump ??= optionValue(option, 'ProxyJump');
  }
  return jump;
};
