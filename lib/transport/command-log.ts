import { userInfo } from 'node:os';
import type { SshHop, SshTransportOptions } from './ssh-route.js';
import type { Become, Transport } from './transport.js';

/** -vvv: one line per connection detail or remote operation of a host (the caller redacts secrets). */
export type CommandLog = (host: string, line: string) => void;

type Connection = { kind: 'local' } | { kind: 'ssh'; route: SshHop[]; options: SshTransportOptions };

/** How a host is reached, in lines Ansible users know from -vvv (`ESTABLISH SSH CONNECTION FOR USER: …`). */
export const describeConnection = (c: Connection): string => {
  if (c.kind === 'local') return `ESTABLISH LOCAL CONNECTION FOR USER: ${userInfo().username}`;
  const target = c.route[c.route.length - 1];
  const { endpoint, policy } = target;
  const jumps = c.route.slice(0, -1).map((h) => `${h.endpoint.user}@${h.endpoint.host}:${h.endpoint.port}`);
  const auth = [
    `keys ${endpoint.identityFiles.join(', ')}`,
    process.env.SSH_AUTH_SOCK ? 'then the agent' : undefined,
    c.options.password === undefined ? undefined : 'then the password (-k)',
  ].filter(Boolean);
  return [
    `ESTABLISH SSH CONNECTION FOR USER: ${endpoint.user}`,
    `SSH: ${endpoint.user}@${endpoint.host}:${endpoint.port}${jumps.length ? ` via ${jumps.join(' → ')}` : ''}`,
    `SSH: authentication: ${auth.join(', ')}`,
    `SSH: host keys checked against ${policy.knownHostsFiles.join(', ')}${policy.acceptNewHostKeys ? `; new keys recorded in ${policy.recordFile}` : '; unknown keys refused'}`,
    `SSH: connect timeout ${Math.round((c.options.connectTimeoutMs ?? 10_000) / 1000)} s`,
  ].join('\n');
};

const asUser = (become: Become | undefined) => (become ? ` (become ${become.user})` : '');

/**
 * Every operation on the transport, logged before it runs: the script exactly as given, the working directory,
 * the names of the environment variables; stdin and environment values (where secrets travel) never.
 */
export const withCommandLog = (transport: Transport, log: (line: string) => void): Transport => ({
  ...transport,
  exec: (script, opts = {}) => {
    // environment values travel on stdin and may be secrets (HF_TOKEN): their names only
    const env = Object.keys(opts.env ?? {});
    const extras = [
      opts.cwd ? `cwd ${opts.cwd}` : undefined,
      env.length ? `env ${env.join(' ')} (values not shown)` : undefined,
      opts.stdin === undefined
        ? undefined
        : typeof opts.stdin === 'string' || Buffer.isBuffer(opts.stdin)
          ? `stdin ${opts.stdin.length} bytes, not shown`
          : 'stdin streamed, not shown',
    ].filter(Boolean);
    log(`EXEC${asUser(opts.become)} /bin/sh -c ${JSON.stringify(script)}${extras.length ? ` [${extras.join('; ')}]` : ''}`);
    return transport.exec(script, opts);
  },
  put: (dest, content, opts = {}) => {
    log(
      `PUT${asUser(opts.become)} ${Buffer.byteLength(content)} bytes TO ${dest}${opts.mode === undefined ? '' : ` mode ${opts.mode.toString(8).padStart(4, '0')}`}`,
    );
    return transport.put(dest, content, opts);
  },
  putFile: (dest, localPath, opts = {}) => {
    log(`PUT${asUser(opts.become)} ${localPath} TO ${dest}${opts.mode === undefined ? '' : ` mode ${opts.mode.toString(8).padStart(4, '0')}`}`);
    return transport.putFile(dest, localPath, opts);
  },
  ...(transport.stage && {
    stage: (dest, localPath) => {
      log(`PUT ${localPath} TO a temp file beside ${dest}`);
      return transport.stage!(dest, localPath);
    },
  }),
  get: (path, opts = {}) => {
    log(`FETCH${asUser(opts.become)} ${path}`);
    return transport.get(path, opts);
  },
});
