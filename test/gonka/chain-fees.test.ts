import { describe, expect, it } from 'vitest';
import { fundingShortfall, gasPriceFromParams, ngonkaPerGas, spendableFromBalances } from '../../lib/gonka/chain-fees.js';
import { DEFAULT_CHAIN, EDITION_1_CHAIN, paramsJson } from '../../sim/gonka/chain-params.mjs';
import { DEFAULT_SCENARIO } from '../../sim/gonka/scenario.mjs';

const params = (chain: object) => JSON.stringify(paramsJson({ ...DEFAULT_CHAIN, ...chain }, DEFAULT_SCENARIO.epoch));

describe('fees from the chain (v0.2.16)', () => {
  it("the gas price is the highest enabled fee group's minimum; none when no group charges", () => {
    expect(gasPriceFromParams(params({}))).toBe('1ngonka');
    expect(
      gasPriceFromParams(params({ fees: { enabledGroups: ['epoch', 'cosmos'], prices: { epoch: 1, cosmos: 3, onboarding: 9 }, maxFeeNgonka: 1e11 } })),
    ).toBe('3ngonka');
    expect(gasPriceFromParams(params(EDITION_1_CHAIN))).toBeUndefined();
    expect(gasPriceFromParams(JSON.stringify({ params: {} }))).toBeUndefined();
    expect(() => gasPriceFromParams('{"nope": 1}')).toThrow();
    expect(ngonkaPerGas('0.5ngonka')).toBe(0.5);
    expect(() => ngonkaPerGas('1ugonka')).toThrow(/not an ngonka gas price/);
  });

  it('counts only spendable ngonka, and says what to send where when it falls short', () => {
    expect(spendableFromBalances(JSON.stringify({ balances: [{ denom: 'ngonka', amount: '1500' }], pagination: {} }))).toBe(1500);
    expect(spendableFromBalances(JSON.stringify({ balances: [] }))).toBe(0);
    expect(fundingShortfall({ address: 'gonka1abc', spendable: 2_000_000, required: 2_000_000 })).toBeUndefined();
    expect(fundingShortfall({ address: 'gonka1abc', spendable: 0, required: 1_002_000_000 })).toBe(
      'the cold account gonka1abc holds 0 ngonka spendable (0 GNK); it pays every fee since v0.2.16 (vesting coins cannot): send it at least 1002000000 ngonka (1.002 GNK) and run again',
    );
  });
});
