import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../lib/inventory/address.js';
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
});

describe('splitShellWords (shlex, comments=True)', () => {
  it('handles quotes, escapes and comments like Python', () => {
    expect(splitShellWords(`h a="b c" d='e f' g=h#comment`)).toEqual(['h', 'a=b c', 'd=e f', 'g=h']);
    expect(splitShellWords(`h x="'03#pa'" y=a\\ b z="q\\"q"`)).toEqual(['h', "x='03#pa'", 'y=a b', 'z=q"q']);
    expect(() => splitShellWords(`h a="open`)).toThrow(/No closing quotation/);
  });
});
