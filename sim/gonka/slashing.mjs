// x/slashing as the operator meets it (reference §8): a validator jailed for downtime (< 50 of the last 100 blocks
// signed) stays jailed until `jailed_until` (the scenario's `jailSeconds` after it was jailed; mainnet ≈ 10-15 min),
// then MsgUnjail from its account releases it. Its signing info carries the missed-block counter (status knob
// `missedBlocks`). Whether it is jailed at all is the scenario's `jailed` (network-state.mjs isJailed).
import { isJailed } from './network-state.mjs';
import { readStatusKnobs } from './status-knobs.mjs';

const failure = (code, log) => ({ code, codespace: 'slashing', log });

const jailedUntil = (scenario) => scenario.anchoredAt + (scenario.jailSeconds ?? 0) * 1000;

/** MsgUnjail: only a jailed validator, and only once its jail period is over. */
export function applyUnjail(net, _msg, { scenario, now, signer }) {
  if (!isJailed(scenario, net, signer)) return failure(5, 'validator not jailed; cannot be unjailed');
  if (now < jailedUntil(scenario)) return failure(7, 'validator still jailed; cannot be unjailed');
  net.unjailedAt[signer] = now;
  return undefined;
}

/** `query slashing signing-info <consensus pubkey JSON>`: the validator's signing info, found by its consensus key. */
export const signingInfoAnswer =
  (notFound) =>
  (net, { cons_pubkey }, ctx) => {
    const key = (() => {
      try {
        return JSON.parse(cons_pubkey).key;
      } catch {
        return cons_pubkey;
      }
    })();
    const entry = Object.entries(net.participants).find(([, p]) => p.validator_key === key);
    if (!entry) throw notFound(`SigningInfo not found for validator ${key}`);
    const [address] = entry;
    const jailed = isJailed(ctx.scenario, net, address);
    const missed = readStatusKnobs(ctx.stateDir).missedBlocks ?? 0;
    return {
      val_signing_info: {
        address: `gonkavalcons${address.slice('gonka'.length)}`,
        start_height: '0',
        index_offset: '100',
        jailed_until: jailed ? new Date(jailedUntil(ctx.scenario)).toISOString() : '1970-01-01T00:00:00Z',
        tombstoned: false,
        missed_blocks_counter: String(jailed ? Math.max(missed, 51) : missed),
      },
    };
  };
