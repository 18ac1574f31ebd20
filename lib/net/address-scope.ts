import { BlockList, isIP } from 'node:net';

/** Where an address can be reached from: only `public` addresses are reachable from the internet. */
export type AddressScope = 'public' | 'loopback' | 'private' | 'link-local' | 'shared' | 'unspecified';

const RANGES: [AddressScope, string, number, 'ipv4' | 'ipv6'][] = [
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  // carrier-grade NAT (RFC 6598): behind the provider's NAT, never reachable from outside
  ['shared', '100.64.0.0', 10, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['loopback', '::1', 128, 'ipv6'],
  ['private', 'fc00::', 7, 'ipv6'],
  ['link-local', 'fe80::', 10, 'ipv6'],
];

const lists = new Map<AddressScope, BlockList>();
for (const [scope, network, prefix, family] of RANGES) {
  const list = lists.get(scope) ?? lists.set(scope, new BlockList()).get(scope)!;
  list.addSubnet(network, prefix, family);
}

// an IPv4 address written as IPv6 (::ffff:10.0.0.1) has the scope of the IPv4 address
const unmapped = (ip: string): string => {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? m[1] : ip;
};

/** The scope of an IP address; undefined when `ip` is not an IP address (a DNS name, or garbage). */
export const addressScope = (ip: string): AddressScope | undefined => {
  const address = unmapped(ip);
  const family = isIP(address);
  if (family === 0) return undefined;
  for (const [scope, list] of lists) if (list.check(address, family === 4 ? 'ipv4' : 'ipv6')) return scope;
  return 'public';
};

/** RFC 6761: `localhost` and every name under it is this machine. */
export const isLoopbackName = (name: string): boolean => /^(.+\.)?localhost\.?$/i.test(name);

const SCOPE_WORDS: Record<Exclude<AddressScope, 'public'>, string> = {
  unspecified: 'the unspecified address (any interface)',
  loopback: 'a loopback address (this machine only)',
  private: 'a private network address',
  'link-local': 'a link-local address (this network segment only)',
  shared: 'a carrier-grade NAT address (behind the provider)',
};

/**
 * Why `value` (an IP address or a DNS name) cannot be reached from the internet, in words; undefined when it may
 * be (a public IP, or a DNS name other than localhost: names are not resolved here).
 */
export const notPublicReason = (value: string): string | undefined => {
  if (isLoopbackName(value)) return `${value} names this machine only`;
  const scope = addressScope(value);
  if (scope === undefined || scope === 'public') return undefined;
  return `${value} is ${SCOPE_WORDS[scope]}`;
};
