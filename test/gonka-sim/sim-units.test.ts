import { describe, expect, it } from 'vitest';
import { interpolate, parseEnvFile } from '../../sim/gonka/interpolate.mjs';
import { accountAddress, bech32Encode, bech32Valid, newAccountKey } from '../../sim/gonka/keys.mjs';
import { statusResult } from '../../sim/gonka/services/comet-status.mjs';

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

describe('CometBFT /status block times', () => {
  const node = {
    height: 100,
    networkHeight: 100,
    blocksPerSecond: 2,
    earliestHeight: 1,
    nodeId: 'n',
    listenAddr: 'tcp://0.0.0.0:26656',
    chainId: 'gonka-mainnet',
    moniker: 'm',
    validatorAddress: 'V',
    consensusPubkey: 'K',
    votingPower: 1,
  };
  // the block time, and the wall clock just before and just after the node was asked: no deadline a slow machine misses
  const asked = (n: Parameters<typeof statusResult>[0]) => {
    const before = Date.now();
    const blockTime = Date.parse(statusResult(n).sync_info.latest_block_time);
    return { blockTime, before, after: Date.now() };
  };

  // the simulated clock stands still between requests: on a busy machine it falls behind the wall, and a block time
  // taken from it made a synced node's last block minutes old to nop status
  it('a synced node’s last block is as old on the wall clock as a block, whatever the simulated clock says', () => {
    // a caller's simulated time (the node's ledger clock) an hour behind the wall
    const { blockTime, before, after } = asked(Object.assign({ ...node }, { now: Date.now() - 3_600_000 }));
    expect(blockTime).toBeGreaterThanOrEqual(before);
    expect(blockTime).toBeLessThanOrEqual(after);
  });

  it('a node behind the network has a last block as old as its lag in blocks', () => {
    // 20 blocks behind at 2 blocks a second: 10 s
    const { blockTime, before, after } = asked({ ...node, networkHeight: 120 });
    expect(blockTime).toBeGreaterThanOrEqual(before - 10_000);
    expect(blockTime).toBeLessThanOrEqual(after - 10_000);
  });
});
