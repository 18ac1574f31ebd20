import { describe, expect, it } from 'vitest';
import { interpolate, parseEnvFile } from '../../sim/gonka/interpolate.mjs';
import { accountAddress, bech32Encode, bech32Valid, newAccountKey } from '../../sim/gonka/keys.mjs';

describe('compose interpolation', () => {
  it('reads config.env-style export lines, quotes and comments', () => {
    expect(parseEnvFile('export A=1\nB="two words"\n# c\nexport C=\'x y\'\nD=plain # note\n')).toEqual({ A: '1', B: 'two words', C: 'x y', D: 'plain' });
  });

  it('expands ${VAR}, defaults, nested defaults and $$', () => {
    const vars = { A: 'a', EMPTY: '' };
    expect(interpolate('${A}-$A-${MISSING:-d}-${EMPTY:-e}-${EMPTY-f}-${HF:-${A}/.cache}-$$X', vars)).toBe('a-a-d-e--a/.cache-$X');
    expect(() => interpolate('${NEED:?set NEED}', vars)).toThrow('required variable NEED is missing a value: set NEED');
  });
});

describe('key encodings', () => {
  it('produces valid bech32 gonka addresses from 33-byte compressed secp256k1 keys', () => {
    const key = newAccountKey();
    expect(Buffer.from(key.pubkey, 'base64')).toHaveLength(33);
    expect([2, 3]).toContain(Buffer.from(key.pubkey, 'base64')[0]);
    expect(key.address).toMatch(/^gonka1[02-9ac-hj-np-z]{38}$/);
    expect(bech32Valid(key.address)).toBe(true);
    expect(accountAddress(key.pubkey)).toBe(key.address);
  });

  it('matches a published address and rejects a corrupted one', () => {
    expect(bech32Valid('gonka1m7r8uzf7wpc784kyaetdqw9zuguy9k44v5whva')).toBe(true);
    expect(bech32Valid('gonka1m7r8uzf7wpc784kyaetdqw9zuguy9k44v5whvq')).toBe(false);
    const zero = bech32Encode('gonka', Buffer.alloc(20));
    expect(zero).toMatch(/^gonka1q{32}[02-9ac-hj-np-z]{6}$/);
    expect(bech32Valid(zero)).toBe(true);
  });
});
