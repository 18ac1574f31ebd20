import { describe, expect, it } from 'vitest';
import { addressScope, notPublicReason } from '../../lib/net/address-scope.js';
import { dnsNameProblem } from '../../lib/net/dns-name.js';
import { PROMPT_VALIDATORS } from '../../lib/runner/prompt-validators.js';

describe('address scope', () => {
  it('tells public addresses from those the internet cannot reach, IPv4 and IPv6', () => {
    const cases: [string, ReturnType<typeof addressScope>][] = [
      ['203.0.113.7', 'public'],
      ['8.8.8.8', 'public'],
      ['127.0.0.1', 'loopback'],
      ['127.4.5.6', 'loopback'],
      ['10.1.2.3', 'private'],
      ['172.16.0.1', 'private'],
      ['172.32.0.1', 'public'],
      ['192.168.1.10', 'private'],
      ['169.254.1.1', 'link-local'],
      ['100.64.0.1', 'shared'],
      ['0.0.0.0', 'unspecified'],
      ['::1', 'loopback'],
      ['fd00::1', 'private'],
      ['fe80::1', 'link-local'],
      ['2001:4860:4860::8888', 'public'],
      ['::ffff:10.0.0.1', 'private'],
      ['node.example.com', undefined],
    ];
    for (const [ip, scope] of cases) expect(addressScope(ip), ip).toBe(scope);
  });

  it('says in words why an address is not public; names are not resolved, except localhost', () => {
    expect(notPublicReason('192.168.1.10')).toBe('192.168.1.10 is a private network address');
    expect(notPublicReason('localhost')).toBe('localhost names this machine only');
    expect(notPublicReason('api.localhost')).toBe('api.localhost names this machine only');
    expect(notPublicReason('node.example.com')).toBeUndefined();
    expect(notPublicReason('203.0.113.7')).toBeUndefined();
  });

  it('DNS names: what is wrong, in words', () => {
    expect(dnsNameProblem('node-1.example.com')).toBeUndefined();
    expect(dnsNameProblem('node_1.example.com')).toBe('may contain only letters, digits, hyphens and dots');
    expect(dnsNameProblem('a..b')).toBe('has an empty part between two dots');
    expect(dnsNameProblem('-a.b')).toBe('has a part that starts or ends with a hyphen');
    expect(dnsNameProblem(`${'a'.repeat(64)}.com`)).toMatch(/^has a part longer than 63 characters/);
  });
});

describe('prompt validators', () => {
  it('public_address: an address others can reach, not a URL or host:port', () => {
    const check = PROMPT_VALIDATORS.public_address.problem;
    expect(check('203.0.113.7')).toBeUndefined();
    expect(check('node.example.com')).toBeUndefined();
    expect(check('2001:db8::1')).toBeUndefined();
    expect(check('127.0.0.1')).toBe(
      'must be reachable from the internet, but 127.0.0.1 is a loopback address (this machine only): give the address other participants will connect to',
    );
    expect(check('node.example.com:8000')).toBe('includes a port: give only the address');
    expect(check('https://node.example.com')).toBe('is a URL: give only the address, without http:// or a port');
  });

  it('port and absolute_path', () => {
    expect(PROMPT_VALIDATORS.port.problem('8000')).toBeUndefined();
    expect(PROMPT_VALIDATORS.port.problem('70000')).toBe('must be a whole number from 1 to 65535');
    expect(PROMPT_VALIDATORS.port.problem('80a')).toBe('must be a whole number from 1 to 65535');
    expect(PROMPT_VALIDATORS.absolute_path.problem('/mnt/shared')).toBeUndefined();
    expect(PROMPT_VALIDATORS.absolute_path.problem('mnt')).toBe('must be an absolute path, starting with /');
    expect(PROMPT_VALIDATORS.address.problem('10.0.0.5')).toBeUndefined();
  });
});
