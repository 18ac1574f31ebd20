// Chain-wide state every simulated node and CLI shares, kept in <state-dir>/gonka-network.json: participants,
// accounts (spendable and vesting ngonka; an account exists once funded or registered), authz grants, fee grants,
// PoC delegation records, jail releases, votes, collateral and claim recipients.
import { readJsonWhole, updateJson } from './json-file.mjs';
import { networkFile } from './sim-paths.mjs';

const EMPTY = {
  participants: {},
  accounts: {},
  grants: [],
  feegrants: [],
  delegations: [],
  refusals: [],
  intents: [],
  unjailedAt: {},
  votes: [],
  collateral: {},
  claimRecipients: {},
};

export const readNetwork = (stateDir) => ({ ...EMPTY, ...readJsonWhole(networkFile(stateDir), {}) });

/** Also the tests' way to edit chain state: under the lock, written by rename (a plain writeFile races the api's tick). */
export const updateNetwork = (stateDir, change) => updateJson(networkFile(stateDir), {}, (stored) => change({ ...EMPTY, ...stored }));

export function isJailed(scenario, network, address) {
  if (!scenario.jailed || !network.participants[address]) return false;
  return !((network.unjailedAt[address] ?? 0) >= scenario.anchoredAt);
}

/** An account on chain, created at zero when it does not exist yet (registration, a transfer to it). */
export function ensureAccount(network, address, initial = {}) {
  network.accounts[address] ??= { spendable: initial.spendable ?? 0, vesting: initial.vesting ?? 0 };
  return network.accounts[address];
}

/** Test knob: the operator's transfer to an account (spendable), or vesting rewards credited to it; a negative amount: coins spent elsewhere. */
export const fundAccount = (stateDir, address, { spendable = 0, vesting = 0 } = {}) =>
  updateNetwork(stateDir, (net) => {
    const account = ensureAccount(net, address);
    account.spendable += spendable;
    account.vesting += vesting;
    return net;
  });

/**
 * Test knob: a participant's stored PoC choice for a model, as if its delegation or refusal tx had run (`refuse`,
 * a delegate's address, or null for none): for fixtures that register a participant without nop's roles.
 */
export const recordPocChoice = (stateDir, participant, modelId, choice) =>
  updateNetwork(stateDir, (net) => {
    net.delegations = net.delegations.filter((d) => !(d.model_id === modelId && d.delegator === participant));
    net.refusals = net.refusals.filter((r) => !(r.model_id === modelId && r.participant === participant));
    if (choice === 'refuse') net.refusals.push({ model_id: modelId, participant });
    else if (choice) net.delegations.push({ model_id: modelId, delegator: participant, delegate_to: choice });
    return net;
  });
