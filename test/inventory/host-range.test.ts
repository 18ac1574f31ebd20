import { describe, expect, it } from 'vitest';
import { isIpAddress, parseAddress } from '../../lib/inventory/address.js';
import { InventoryError } from '../../lib/inventory/errors.js';
import { expandHostPattern, expandHostRange } from '../../lib/inventory/host-range.js';
import { splitShellWords } from '../../lib/inventory/shell-words.js';

describe('expandHostRange', () => {
  it('keeps zero padding', () => {
    expect(expandHostRange('gpu[01:03].dc1')).toEqual(['gpu01.dc1', 'gpu02.dc1', 'gpu03.dc1']);
  });
  it('expands letters, strides and several ranges', () => {
    expect(expandHostRange('node[a:c]')).toEqual(['nodea', 'nodeb', 'nodec']);
    expect(expandHostRange('n[1:10:2]')).toEqual(['n1', 'n3', 'n5', 'n7', 'n9']);
    expect(expandHostRange('r[1:2]-[a:b]')).toEqual(['r1-a', 'r1-b', 'r2-a', 'r2-b']);
    expect(expandHostRange('x[:2]')).toEqual(['x0', 'x1', 'x2']);
  });
  it('rejects malformed ranges', () => {
    expect(() => expandHostRange('gpu[01:1]')).toThrow(/equal-length/);
    expect(() => expandHostRange('gpu[1]')).toThrow(/begin:end/);
    expect(() => expandHostRange('gpu[1:]')).toThrow(/end value/);
    expect(() => expandHostRange('gpu[c:a]')).toThrow(/begin <= end/);
    expect(() => expandHostRange('gpu[1:3:0]')).toThrow(InventoryError);
  });
});

describe('expandHostPattern', () => {
  it('splits a port off names, ranges and bracketed IPv6', () => {
    expect(expandHostPattern('gpu1:2222')).toEqual({ hostnames: ['gpu1'], port: 2222 });
    expect(expandHostPattern('gpu[1:2].dc1:22')).toEqual({ hostnames: ['gpu1.dc1', 'gpu2.dc1'], port: 22 });
    expect(expandHostPattern('10.0.0.1:2200')).toEqual({ hostnames: ['10.0.0.1'], port: 2200 });
    expect(expandHostPattern('[fe80::1]:2222')).toEqual({ hostnames: ['fe80::1'], port: 2222 });
    expect(expandHostPattern('fe80::1')).toEqual({ hostnames: ['fe80::1'] });
    expect(expandHostPattern('plain')).toEqual({ hostnames: ['plain'] });
  });
  it('refuses a trailing colon', () => {
    expect(() => expandHostPattern('gpu1:')).toThrow(/ending in ':' is not allowed/);
  });
});

describe('parseAddress', () => {
  it('accepts hostnames and addresses, with ranges only when allowed', () => {
    expect(parseAddress('gpu-1.example.com', false)).toEqual({ host: 'gpu-1.example.com' });
    expect(parseAddress('gpu[1:3]', false)).toBeUndefined();
    expect(parseAddress('gpu[1:3]', true)).toEqual({ host: 'gpu[1:3]' });
    expect(parseAddress('web:db', true)).toBeUndefined();
    expect(parseAddress('-bad', true)).toBeUndefined();
  });

  // ASCII names take a pattern of their own (cheaper to compile): it must judge them as the Unicode one does
  it('judges ASCII and non-ASCII names alike: letters, digits, _ and -, no label ending in _ or -', () => {
    for (const name of ['gpu_1', 'GPU-01.DC1', '0node', 'a.b.c', 'uzel1.example.рф', 'gpu１', 'ñode'])
      expect(parseAddress(name, false)).toEqual({ host: name });
    for (const name of ['gpu-.dc1', 'gpu_', 'a..b', 'gpu 1', 'gpu\t1', 'ñode-', 'x.ñ_', 'a/b', '']) expect(parseAddress(name, false)).toBeUndefined();
    expect(parseAddress('node[a:c].dc1', true)).toEqual({ host: 'node[a:c].dc1' });
    expect(parseAddress('ñode[1:3]:2222', true)).toEqual({ host: 'ñode[1:3]', port: 2222 });
  });

  it('accepts IPv4 and IPv6 addresses, a port after a bracketed IPv6 one', () => {
    expect(parseAddress('10.0.0.7', false)).toEqual({ host: '10.0.0.7' });
    expect(parseAddress('fe80::1', false)).toEqual({ host: 'fe80::1' });
    expect(parseAddress('[2001:db8::7]:2222', false)).toEqual({ host: '2001:db8::7', port: 2222 });
    expect(parseAddress('::ffff:10.0.0.7', false)).toEqual({ host: '::ffff:10.0.0.7' });
  });
});

describe('isIpAddress', () => {
  it('is true for IPv4 and IPv6 addresses only', () => {
    for (const ip of ['10.0.0.7', '255.255.255.255', '::1', 'fe80::1', '2001:db8:0:0:0:0:0:7', '::ffff:10.0.0.7']) expect(isIpAddress(ip)).toBe(true);
    for (const name of ['gpu01', 'gpu01.dc1', '10.0.0', '10.0.0.256', 'fe80:::1', 'cafe', 'face.bad', '']) expect(isIpAddress(name)).toBe(false);
  });
});

describe('splitShellWords (shlex, comments=True)', () => {
  it('handles quotes, escapes and comments like Python', () => {
    expect(splitShellWords(`h a="b c" d='e f' g=h#comment`)).toEqual(['h', 'a=b c', 'd=e f', 'g=h']);
    expect(splitShellWords(`h x="'03#pa'" y=a\\ b z="q\\"q"`)).toEqual(['h', "x='03#pa'", 'y=a b', 'z=q"q']);
    expect(() => splitShellWords(`h a="open`)).toThrow(/No closing quotation/);
  });
});
