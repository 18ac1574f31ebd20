// The simulated chain's transactions. A tx arrives as base64 JSON through broadcast_tx_sync (the real chain takes
// protobuf; the exchange has the same shape): its messages, signer, fee (amount, gas limit, fee granter). Since
// v0.2.16 the messages' fee groups set a minimum gas price; the fee is paid from the signer's spendable balance, or
// the granter's through a fee grant; vesting coins never pay. Messages follow x/inference's rules for delegation,
// refusal and intent records (one per model and participant, last write wins).
import crypto from 'node:crypto';
import { updateNetwork, ensureAccount } from './network-state.mjs';
import { chainOf, isGovernanceModel, isPocModel, requiredGasPrice } from './chain-params.mjs';
import { bech32Valid } from './keys.mjs';
import { applyVote } from './governance.mjs';
import { applyUnjail } from './slashing.mjs';
import { applyWithdraw, releaseUnbonded } from './collateral.mjs';

export const MSG = Object.freeze({
  authzGrant: '/cosmos.authz.v1beta1.MsgGrant',
  grantAllowance: '/cosmos.feegrant.v1beta1.MsgGrantAllowance',
  submitNewParticipant: '/inference.inference.MsgSubmitNewParticipant',
  unjail: '/cosmos.slashing.v1beta1.MsgUnjail',
  vote: '/cosmos.gov.v1.MsgVote',
  depositCollateral: '/inference.collateral.MsgDepositCollateral',
  withdrawCollateral: '/inference.collateral.MsgWithdrawCollateral',
  setPocDelegation: '/inference.inference.MsgSetPoCDelegation',
  refusePocDelegation: '/inference.inference.MsgRefusePoCDelegation',
  declarePocIntent: '/inference.inference.MsgDeclarePoCIntent',
  setClaimRecipients: '/inference.inference.MsgSetClaimRecipients',
  bankSend: '/cosmos.bank.v1beta1.MsgSend',
});

// What grant-ml-ops-permissions authorizes the warm key to send (upstream InferenceOperationKeyPerms, extended by
// the v0.2.16 migration with the model intent message).
export const ML_OPS_MESSAGES = Object.freeze([
  '/inference.inference.MsgClaimRewards',
  '/inference.inference.MsgSubmitPocBatch',
  '/inference.inference.MsgSubmitPocValidationsV2',
  '/inference.inference.MsgPoCV2StoreCommit',
  '/inference.inference.MsgMLNodeWeightDistribution',
  '/inference.inference.MsgSubmitSeed',
  '/inference.inference.MsgBridgeExchange',
  '/inference.inference.MsgSubmitNewUnfundedParticipant',
  '/inference.inference.MsgSubmitHardwareDiff',
  '/inference.bls.MsgSubmitDealerPart',
  '/inference.bls.MsgSubmitVerificationVector',
  '/inference.bls.MsgRespondDealerComplaints',
  '/inference.bls.MsgRequestThresholdSignature',
  '/inference.bls.MsgSubmitPartialSignature',
  '/inference.bls.MsgSubmitGroupKeyValidationSignature',
  MSG.declarePocIntent,
]);

/** The fee allowance grant-ml-ops-permissions gives the warm key: 10 GNK for one year. */
export const ML_OPS_FEE_ALLOWANCE_NGONKA = 10_000_000_000;
const YEAR_MS = 365 * 24 * 3600 * 1000;

const txHash = (tx) => crypto.createHash('sha256').update(tx).digest('hex').toUpperCase();

const coins = (ngonka) => (ngonka > 0 ? `${ngonka}ngonka` : '');

// gas the simulated chain charges: a base per tx and a cost per message (the real numbers vary by message size)
const TX_BASE_GAS = 50_000;
const gasOfMessage = (msg) => ({ [MSG.authzGrant]: 20_000, [MSG.grantAllowance]: 25_000 })[msg['@type']] ?? 40_000;
export const gasUsedOf = (messages) => TX_BASE_GAS + messages.reduce((sum, m) => sum + gasOfMessage(m), 0);

const failure = (code, codespace, log) => ({ code, codespace, log });

const DENOMS = { ngonka: 1, ugonka: 1e3, mgonka: 1e6, gonka: 1e9 };

export function amountOf(text) {
  const m = /^(\d+)([a-z]+)$/.exec(String(text));
  if (!m || !DENOMS[m[2]]) throw new Error(`invalid coin: ${text}`);
  return Number(m[1]) * DENOMS[m[2]];
}

function governanceModelError(chain, modelId) {
  if (!isGovernanceModel(chain, modelId) || !isPocModel(chain, modelId))
    return failure(1105, 'inference', `model ${modelId} is not a governance-approved PoC model: invalid model`);
  return undefined;
}

// one record per (model, participant) among delegation, refusal and intent: a new one replaces the others
function clearChoice(net, modelId, participant) {
  net.delegations = net.delegations.filter((d) => !(d.model_id === modelId && d.delegator === participant));
  net.refusals = net.refusals.filter((r) => !(r.model_id === modelId && r.participant === participant));
  net.intents = net.intents.filter((i) => !(i.model_id === modelId && i.participant === participant));
}

// the participant a warm key acts for: the granter of its ML operational grant for this message
const actingFor = (net, sender, typeUrl) => net.grants.find((g) => g.grantee === sender && g.authorization.msg === typeUrl)?.granter ?? sender;

const APPLY = {
  [MSG.authzGrant]: (net, msg, { now }) => {
    net.grants = net.grants.filter((g) => !(g.granter === msg.granter && g.grantee === msg.grantee && g.authorization.msg === msg.grant.authorization.msg));
    net.grants.push({ granter: msg.granter, grantee: msg.grantee, authorization: msg.grant.authorization, expiration: new Date(now + YEAR_MS).toISOString() });
  },
  [MSG.grantAllowance]: (net, msg, { now }) => {
    if (net.feegrants.some((f) => f.granter === msg.granter && f.grantee === msg.grantee))
      return failure(18, 'feegrant', 'fee allowance already exists: invalid request');
    net.feegrants.push({ granter: msg.granter, grantee: msg.grantee, spend_limit: msg.spend_limit, expiration: new Date(now + YEAR_MS).toISOString() });
    // x/feegrant creates the grantee's account, so an unfunded warm key can sign
    ensureAccount(net, msg.grantee);
  },
  [MSG.submitNewParticipant]: (net, msg, { signer }) => {
    const existing = net.participants[signer] ?? { pubkey: msg.pubkey, balance: 0 };
    net.participants[signer] = { ...existing, url: msg.url, validator_key: msg.validator_key };
  },
  [MSG.unjail]: applyUnjail,
  [MSG.vote]: applyVote,
  [MSG.depositCollateral]: (net, msg, { signer }) => {
    const amount = amountOf(msg.amount);
    const account = ensureAccount(net, signer);
    if (account.spendable < amount)
      return failure(5, 'sdk', `spendable balance ${coins(account.spendable) || '0ngonka'} is smaller than ${msg.amount}: insufficient funds`);
    account.spendable -= amount;
    net.collateral[signer] = (net.collateral[signer] ?? 0) + amount;
  },
  [MSG.withdrawCollateral]: (net, msg, ctx) => applyWithdraw(net, amountOf(msg.amount), ctx),
  [MSG.setPocDelegation]: (net, msg, { chain, signer }) => {
    const invalid = governanceModelError(chain, msg.model_id);
    if (invalid) return invalid;
    if (msg.delegate_to !== '' && !bech32Valid(msg.delegate_to)) return failure(7, 'sdk', `invalid delegate address ${msg.delegate_to}: invalid address`);
    if (msg.delegate_to === signer) return failure(1106, 'inference', 'cannot delegate to self: invalid delegation');
    clearChoice(net, msg.model_id, signer);
    if (msg.delegate_to !== '') net.delegations.push({ model_id: msg.model_id, delegator: signer, delegate_to: msg.delegate_to });
  },
  [MSG.refusePocDelegation]: (net, msg, { chain, signer }) => {
    const invalid = governanceModelError(chain, msg.model_id);
    if (invalid) return invalid;
    clearChoice(net, msg.model_id, signer);
    net.refusals.push({ model_id: msg.model_id, participant: signer });
  },
  [MSG.declarePocIntent]: (net, msg, { chain, signer }) => {
    const invalid = governanceModelError(chain, msg.model_id);
    if (invalid) return invalid;
    const participant = actingFor(net, signer, MSG.declarePocIntent);
    clearChoice(net, msg.model_id, participant);
    net.intents.push({ model_id: msg.model_id, participant });
  },
  [MSG.setClaimRecipients]: (net, msg, { signer }) => {
    net.claimRecipients[signer] = msg.recipients;
  },
  [MSG.bankSend]: (net, msg, { signer }) => {
    const amount = amountOf(msg.amount);
    const from = ensureAccount(net, signer);
    if (from.spendable < amount)
      return failure(5, 'sdk', `spendable balance ${coins(from.spendable) || '0ngonka'} is smaller than ${msg.amount}: insufficient funds`);
    from.spendable -= amount;
    ensureAccount(net, msg.to_address).spendable += amount;
  },
};

// Who pays: the fee granter through its allowance to the signer, else the signer; only spendable coins pay.
function payFee(net, tx, fee, now) {
  if (fee === 0) return undefined;
  const granter = tx.fee.granter;
  if (granter) {
    const grant = net.feegrants.find((f) => f.granter === granter && f.grantee === tx.from);
    if (!grant || Date.parse(grant.expiration) < now)
      return failure(38, 'sdk', `${granter} does not allow to pay fees for ${tx.from}: fee-grant not found: not found`);
    if (grant.spend_limit < fee) return failure(3, 'feegrant', 'basic allowance: fee limit exceeded');
    const payer = ensureAccount(net, granter);
    if (payer.spendable < fee)
      return failure(5, 'sdk', `spendable balance ${coins(payer.spendable) || '0ngonka'} is smaller than ${fee}ngonka: insufficient funds`);
    payer.spendable -= fee;
    grant.spend_limit -= fee;
    return undefined;
  }
  const payer = ensureAccount(net, tx.from);
  if (payer.spendable < fee)
    return failure(5, 'sdk', `spendable balance ${coins(payer.spendable) || '0ngonka'} is smaller than ${fee}ngonka: insufficient funds`);
  payer.spendable -= fee;
  return undefined;
}

/** The ante checks before any message runs: gas, the fee groups' minimum price, the fee cap, who pays. */
function admit(net, tx, chain, now) {
  const used = gasUsedOf(tx.messages);
  const limit = tx.fee.gas_limit;
  const required = Math.ceil(
    limit *
      requiredGasPrice(
        chain,
        tx.messages.map((m) => m['@type']),
      ),
  );
  if (tx.fee.amount < required) return failure(13, 'sdk', `insufficient fees; got: ${coins(tx.fee.amount)} required: ${coins(required)}: insufficient fee`);
  if (tx.fee.amount > chain.fees.maxFeeNgonka)
    return failure(13, 'sdk', `fee ${coins(tx.fee.amount)} exceeds the maximum of ${coins(chain.fees.maxFeeNgonka)}: insufficient fee`);
  const unpaid = payFee(net, tx, tx.fee.amount, now);
  if (unpaid) return unpaid;
  if (limit < used) return failure(11, 'sdk', `out of gas in location: txSize; gasWanted: ${limit}, gasUsed: ${used}: out of gas`);
  return undefined;
}

export function broadcastTx(stateDir, scenario, txBase64, now) {
  const tx = JSON.parse(Buffer.from(txBase64, 'base64').toString('utf8'));
  const hash = txHash(txBase64);
  const unknown = tx.messages.find((m) => !APPLY[m['@type']]);
  if (unknown) return { ...failure(6, 'sdk', `unable to resolve type URL ${unknown['@type']}`), data: '', hash, gas_wanted: '0', gas_used: '0' };
  const chain = chainOf(scenario);
  let outcome;
  updateNetwork(stateDir, (net) => {
    releaseUnbonded(net, scenario, now);
    const snapshot = JSON.stringify(net);
    outcome = admit(net, tx, chain, now);
    if (outcome) return JSON.parse(snapshot);
    // messages run after the fee is taken: a failing message keeps the fee paid, and undoes the other messages
    const paid = JSON.stringify(net);
    for (const msg of tx.messages) {
      outcome = APPLY[msg['@type']](net, msg, { scenario, chain, now, signer: tx.from });
      if (outcome) return JSON.parse(paid);
    }
    return net;
  });
  return {
    code: 0,
    codespace: '',
    log: '',
    data: '',
    ...(outcome ?? {}),
    hash,
    gas_wanted: String(tx.fee.gas_limit),
    gas_used: String(Math.min(gasUsedOf(tx.messages), tx.fee.gas_limit)),
  };
}

/** Simulate: the gas the messages use, or why they would be refused (the messages' own checks are not run). */
export function simulateTx(txBase64) {
  const tx = JSON.parse(Buffer.from(txBase64, 'base64').toString('utf8'));
  return { gas_info: { gas_used: String(gasUsedOf(tx.messages)), gas_wanted: '0' } };
}
