// Ansible's parse_address (lib/ansible/parsing/utils/addresses.py): host identifiers with an
// optional port and optional [x:y] ranges, so `gpu[01:16].dc1:2222` means 16 hosts on port 2222.

const NUMERIC_RANGE = String.raw`\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const HEX_RANGE = String.raw`\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]`;
const ALNUM_RANGE = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`;

const I4 = String.raw`(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|${NUMERIC_RANGE})`;
const I6 = String.raw`(?:[0-9a-f]{1,4}|${HEX_RANGE})`;
const LABEL = String.raw`(?:[\p{L}\p{N}_]|${ALNUM_RANGE})(?:[\p{L}\p{N}_-]|${ALNUM_RANGE})*(?<![_-])`;
// LABEL for ASCII names (the letters and digits of ASCII are all its \p{L} and \p{N} hold)
const ASCII_LABEL = String.raw`(?:[a-z0-9_]|${ALNUM_RANGE})(?:[a-z0-9_-]|${ALNUM_RANGE})*(?<![_-])`;

const IPV4 = new RegExp(String.raw`^(?:${I4}\.){3}${I4}$`, 'i');
const IPV6 = new RegExp(
  '^(?:' +
    [
      `(?:${I6}:){7}${I6}`,
      `(?:${I6}:){1,6}:`,
      `(?:${I6}:)(?::${I6}){1,6}`,
      `(?:${I6}:){2}(?::${I6}){1,5}`,
      `(?:${I6}:){3}(?::${I6}){1,4}`,
      `(?:${I6}:){4}(?::${I6}){1,3}`,
      `(?:${I6}:){5}(?::${I6}){1,2}`,
      `(?:${I6}:){6}(?::${I6})`,
      `:(?::${I6}){1,6}`,
      `${I6}?::`,
      `(?:${I6}:){6}(?:${I4}\\.){3}${I4}`,
      `(?:${I6}:){1,5}:(?:${I4}\\.){3}${I4}`,
      `::(?:${I6}:){0,5}(?:${I4}\\.){3}${I4}`,
    ].join('|') +
    ')$',
  'i',
);
const HOSTNAME = new RegExp(String.raw`^${LABEL}(?:\.${LABEL})*$`, 'iu');
const ASCII_HOSTNAME = new RegExp(String.raw`^${ASCII_LABEL}(?:\.${ASCII_LABEL})*$`, 'i');
const BRACKETED_HOSTPORT = /^\[(.+)\]:([0-9]+)$/;
const HOSTPORT = /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/;

/**
 * HOSTNAME, with its ASCII twin for names of printable ASCII, as most are: the Unicode classes cost about 2 ms to
 * compile on their first use, and the two patterns agree on every ASCII name.
 */
const isHostName = (host: string): boolean => (/^[ -~]*$/.test(host) ? ASCII_HOSTNAME : HOSTNAME).test(host);

export interface Address {
  host: string;
  port?: number;
}

/** A host identifier with an optional port, or undefined when the string is not one. */
export const parseAddress = (address: string, allowRanges: boolean): Address | undefined => {
  let host = address;
  let port: number | undefined;
  for (const re of [BRACKETED_HOSTPORT, HOSTPORT]) {
    const m = re.exec(host);
    if (!m) continue;
    host = m[1];
    port = Number(m[2]);
  }
  // the host name pattern first: it is what inventories mostly hold (a dotted IPv4 address matches it too), and the
  // IPv6 pattern costs about 5 ms to compile on its first use, a third of parsing a 32-host inventory
  if (!isHostName(host) && !IPV4.test(host) && !IPV6.test(host)) return undefined;
  if (!allowRanges && host.includes('[')) return undefined;
  return port === undefined ? { host } : { host, port };
};

/**
 * An IPv4 or IPv6 address (Ansible keeps these whole as inventory_hostname_short). Every IPv4 address has a dot and
 * every IPv6 one a colon: a name without either is not tested against (nor compiles) the patterns, which cost about
 * 3 ms of every start to compile on their first use.
 */
export const isIpAddress = (name: string): boolean => (name.includes('.') && IPV4.test(name)) || (name.includes(':') && IPV6.test(name));
