// The simulated chain's queries, answered in the chain's proto3 JSON (int64/uint64 as strings, decimals as
// {value, exponent}): over CometBFT's abci_query (the CLI: path = the gRPC method, data = hex JSON arguments) and
// over the node's REST gateway (:1317, the proxy's /chain-api/).
import { readNetwork, isJailed } from './network-state.mjs';
import { bech32Encode } from './keys.mjs';
import { readStatusKnobs, currentEpochStats } from './status-knobs.mjs';
import { chainOf, dynamicCoefficients, paramsJson } from './chain-params.mjs';
import { epochIndexAt, epochStages } from './epochs.mjs';
import { governanceAnswers } from './governance.mjs';
import { signingInfoAnswer } from './slashing.mjs';
import { collateralParamsAnswer, releaseUnbonded, unbondingAnswer } from './collateral.mjs';
import { performanceSummaryAnswer } from './rewards.mjs';

export const QUERY = Object.freeze({
  account: '/cosmos.auth.v1beta1.Query/Account',
  allBalances: '/cosmos.bank.v1beta1.Query/AllBalances',
  spendableBalances: '/cosmos.bank.v1beta1.Query/SpendableBalances',
  feeAllowance: '/cosmos.feegrant.v1beta1.Query/Allowance',
  grants: '/cosmos.authz.v1beta1.Query/GranterGrants',
  delegatorValidators: '/cosmos.staking.v1beta1.Query/DelegatorValidators',
  tally: '/cosmos.gov.v1.Query/TallyResult',
  votes: '/cosmos.gov.v1.Query/Votes',
  vote: '/cosmos.gov.v1.Query/Vote',
  proposals: '/cosmos.gov.v1.Query/Proposals',
  proposal: '/cosmos.gov.v1.Query/Proposal',
  signingInfo: '/cosmos.slashing.v1beta1.Query/SigningInfo',
  unbondingCollateral: '/inference.collateral.Query/UnbondingCollateral',
  collateral: '/inference.collateral.Query/Collateral',
  collateralParams: '/inference.collateral.Query/Params',
  totalVesting: '/inference.streamvesting.Query/TotalVestingAmount',
  participant: '/inference.inference.Query/Participant',
  params: '/inference.inference.Query/Params',
  pocDelegation: '/inference.inference.Query/PoCDelegation',
  dynamicCoefficients: '/inference.inference.Query/DynamicCoefficients',
  currentEpoch: '/inference.inference.Query/GetCurrentEpoch',
  currentEpochGroupData: '/inference.inference.Query/CurrentEpochGroupData',
  pocV2StoreCommit: '/inference.inference.Query/PoCV2StoreCommit',
  claimRecipients: '/inference.inference.Query/ListClaimRecipients',
  epochPerformanceSummary: '/inference.inference.Query/EpochPerformanceSummary',
});

/** A failed gRPC query as the CLI reports it (codes: google.golang.org/grpc/codes). */
export class QueryError extends Error {
  constructor(code, log) {
    super(log);
    this.code = code;
  }
}

const notFound = (what) => new QueryError(5, `rpc error: code = NotFound desc = ${what}`);
const coinList = (ngonka) => (ngonka > 0 ? [{ denom: 'ngonka', amount: String(ngonka) }] : []);
const PAGE = (total) => ({ next_key: null, total: String(total) });

// The bech32 data part back to bytes, enough to re-prefix an address as a valoper.
function decodeAddress(address) {
  const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
  const words = [...address.slice(address.lastIndexOf('1') + 1, -6)].map((c) => CHARSET.indexOf(c));
  const bytes = [];
  let acc = 0;
  let bits = 0;
  for (const w of words) {
    acc = (acc << 5) | w;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((acc >> bits) & 0xff);
    }
  }
  return bytes;
}

const epochNow = (ctx) => epochIndexAt(ctx.scenario.epoch, ctx.height);

// the models each participant committed PoC for in an epoch: our own (their ML nodes then) and the scenario's hosts
function commitsOf(net, chain, epoch) {
  const own = Object.entries(net.participants).flatMap(([address, p]) =>
    [...new Set((p.epochNodes?.[epoch] ?? []).flatMap((n) => n.models))].map((model_id) => ({ participant_address: address, model_id, count: '32' })),
  );
  const hosts = (chain.hosts ?? [])
    .filter((h) => h.commitsPoc !== false)
    .flatMap((h) => h.models.map((model_id) => ({ participant_address: h.address, model_id, count: '32' })));
  return [...own, ...hosts];
}

const participantWeight = (p) =>
  Object.values(p.epochNodes ?? {})
    .at(-1)
    ?.reduce((sum, n) => sum + n.poc_weight, 0) ?? 0;

const GOV = governanceAnswers((what) => notFound(what));

// a host of the scenario's network (a delegation target): registered, serving its models with its weight
const otherHostParticipant = (h) => ({
  index: h.address,
  address: h.address,
  weight: h.weight ?? 0,
  join_time: '0',
  join_height: '0',
  last_inference_time: '0',
  inference_url: h.url ?? '',
  status: 'ACTIVE',
  coin_balance: '0',
  validator_key: '',
  consecutive_invalid_inferences: '0',
  worker_public_key: '',
  epochs_completed: 1,
});

const ANSWERS = {
  [QUERY.account]: (net, { address }) => {
    if (!net.accounts[address]) throw notFound(`account ${address} not found: key not found`);
    return { account: { '@type': '/cosmos.auth.v1beta1.BaseAccount', address, pub_key: null, account_number: '0', sequence: '0' } };
  },
  [QUERY.allBalances]: (net, { address }) => {
    const a = net.accounts[address];
    return { balances: coinList(a ? a.spendable + a.vesting : 0), pagination: PAGE(a ? 1 : 0) };
  },
  [QUERY.spendableBalances]: (net, { address }) => ({ balances: coinList(net.accounts[address]?.spendable ?? 0), pagination: PAGE(1) }),
  [QUERY.totalVesting]: (net, { address }) => ({ total_amount: coinList(net.accounts[address]?.vesting ?? 0) }),
  [QUERY.feeAllowance]: (net, { granter, grantee }) => {
    const f = net.feegrants.find((g) => g.granter === granter && g.grantee === grantee);
    if (!f) throw notFound('fee-grant not found: key not found');
    return {
      allowance: {
        granter,
        grantee,
        allowance: { '@type': '/cosmos.feegrant.v1beta1.BasicAllowance', spend_limit: coinList(f.spend_limit), expiration: f.expiration },
      },
    };
  },
  [QUERY.grants]: (net, { granter }) => {
    const grants = net.grants.filter((g) => g.granter === granter);
    return { grants, pagination: PAGE(grants.length) };
  },
  [QUERY.delegatorValidators]: (net, { delegator_addr }, ctx) => {
    const p = net.participants[delegator_addr];
    if (!p) return { validators: [], pagination: PAGE(0) };
    const jailed = isJailed(ctx.scenario, net, delegator_addr);
    return {
      validators: [
        {
          operator_address: bech32Encode('gonkavaloper', Buffer.from(decodeAddress(delegator_addr))),
          consensus_pubkey: { '@type': '/cosmos.crypto.ed25519.PubKey', key: p.validator_key ?? '' },
          jailed,
          status: jailed ? 'BOND_STATUS_UNBONDING' : 'BOND_STATUS_BONDED',
          tokens: String(p.weight ?? 0),
          description: { moniker: p.url ?? '' },
        },
      ],
      pagination: PAGE(1),
    };
  },
  [QUERY.tally]: GOV.tally,
  [QUERY.vote]: GOV.vote,
  [QUERY.proposals]: GOV.proposals,
  [QUERY.proposal]: GOV.proposal,
  [QUERY.signingInfo]: signingInfoAnswer((what) => notFound(what)),
  [QUERY.unbondingCollateral]: unbondingAnswer,
  [QUERY.votes]: (net, { proposal_id }) => {
    const votes = net.votes
      .filter((v) => v.proposal_id === proposal_id)
      .map((v) => ({ proposal_id, voter: v.voter, options: [{ option: `VOTE_OPTION_${v.option.toUpperCase()}`, weight: '1.000000000000000000' }] }));
    return { votes, pagination: PAGE(votes.length) };
  },
  [QUERY.collateral]: (net, { participant }) => ({ amount: { denom: 'ngonka', amount: String(net.collateral[participant] ?? 0) } }),
  [QUERY.collateralParams]: collateralParamsAnswer,
  // Gonka's Ignite-scaffolded Participant map (x/inference, keyed by `index` = the account address)
  [QUERY.participant]: (net, { index }, ctx) => {
    const p = net.participants[index];
    const other = (chainOf(ctx.scenario).hosts ?? []).find((h) => h.address === index);
    if (!p && other) return { participant: otherHostParticipant(other) };
    if (!p) throw notFound('not found');
    return {
      participant: {
        index,
        address: index,
        weight: participantWeight(p),
        join_time: '0',
        join_height: String(p.registeredHeight ?? 0),
        last_inference_time: '0',
        inference_url: p.url ?? '',
        status: 'ACTIVE',
        coin_balance: String(p.balance ?? 0),
        validator_key: p.validator_key ?? '',
        consecutive_invalid_inferences: '0',
        worker_public_key: '',
        epochs_completed: Object.keys(p.epochNodes ?? {}).length,
        current_epoch_stats: currentEpochStats(readStatusKnobs(ctx.stateDir)),
      },
    };
  },
  [QUERY.params]: (net, args, ctx) => paramsJson(chainOf(ctx.scenario), ctx.scenario.epoch),
  [QUERY.pocDelegation]: (net, { participant, model_id }) => {
    if (!participant) throw new QueryError(3, 'rpc error: code = InvalidArgument desc = participant required');
    const mine = (r, who) => r[who] === participant && (!model_id || r.model_id === model_id);
    return {
      delegations: net.delegations.filter((d) => mine(d, 'delegator')),
      refusals: net.refusals.filter((r) => mine(r, 'participant')),
      intents: net.intents.filter((i) => mine(i, 'participant')),
    };
  },
  [QUERY.dynamicCoefficients]: (net, { epoch_index }, ctx) => {
    const epoch = Number(epoch_index ?? 0) || epochNow(ctx);
    if (epoch > epochNow(ctx) + 1) throw notFound(`dynamic coefficients for epoch ${epoch} not found`);
    return dynamicCoefficients(chainOf(ctx.scenario), epoch);
  },
  [QUERY.currentEpoch]: (net, args, ctx) => ({ epoch: String(epochNow(ctx)) }),
  [QUERY.currentEpochGroupData]: (net, args, ctx) => {
    const epoch = epochNow(ctx);
    const members = Object.entries(net.participants).filter(([, p]) => (p.epochNodes?.[epoch] ?? []).length > 0);
    const weights = members.map(([address, p]) => ({ member_address: address, weight: String(p.epochNodes[epoch].reduce((s, n) => s + n.poc_weight, 0)) }));
    return {
      epoch_group_data: {
        epoch_index: String(epoch),
        poc_start_block_height: String(epochStages(ctx.scenario.epoch, epoch).poc_start),
        model_id: '',
        sub_group_models: chainOf(ctx.scenario).pocModels.map((m) => m.model_id),
        total_weight: String(weights.reduce((s, w) => s + Number(w.weight), 0)),
        validation_weights: weights,
      },
    };
  },
  [QUERY.pocV2StoreCommit]: (net, { poc_stage_start_block_height, participant_address }, ctx) => {
    const epoch = epochIndexAt(ctx.scenario.epoch, Number(poc_stage_start_block_height));
    const commits = commitsOf(net, chainOf(ctx.scenario), epoch).filter((c) => c.participant_address === participant_address);
    if (commits.length === 0) throw notFound('store commit not found');
    return { commits: commits.map((c) => ({ ...c, poc_stage_start_block_height: String(poc_stage_start_block_height) })) };
  },
  [QUERY.claimRecipients]: (net, { address }) => ({ recipients: net.claimRecipients[address] ?? [] }),
  [QUERY.epochPerformanceSummary]: (net, args) => performanceSummaryAnswer(net, args, notFound),
};

/** `ctx`: { stateDir, scenario, height, now }. */
export function answerQuery(path, args, ctx) {
  const answer = ANSWERS[path];
  if (!answer) throw new QueryError(12, `rpc error: code = Unimplemented desc = unknown method ${path}`);
  const net = readNetwork(ctx.stateDir);
  // a read-only view: unbonding collateral whose epoch came is the account's again (the next tx stores it)
  if (ctx.now !== undefined) releaseUnbonded(net, ctx.scenario, ctx.now);
  return answer(net, args, ctx);
}

export function abciQuery(ctx, path, dataHex) {
  if (!ANSWERS[path]) return { code: 6, log: `unknown query path ${path}`, value: null };
  const args = dataHex ? JSON.parse(Buffer.from(dataHex.replace(/^0x/, ''), 'hex').toString('utf8')) : {};
  try {
    const value = answerQuery(path, args, ctx);
    return { code: 0, log: '', value: Buffer.from(JSON.stringify(value)).toString('base64'), height: String(ctx.height) };
  } catch (err) {
    if (err instanceof QueryError) return { code: err.code, log: err.message, value: null, height: String(ctx.height) };
    throw err;
  }
}

// The REST gateway: URL pattern → query and its arguments.
const REST = [
  ['/productscience/inference/inference/params', QUERY.params, () => ({})],
  ['/productscience/inference/inference/participant/:index', QUERY.participant, (p) => p],
  ['/productscience/inference/inference/poc_delegation/:participant', QUERY.pocDelegation, (p, q) => ({ ...p, model_id: q.get('model_id') ?? '' })],
  ['/productscience/inference/inference/dynamic_coefficients/:epoch_index', QUERY.dynamicCoefficients, (p) => p],
  ['/productscience/inference/inference/current_epoch_group_data', QUERY.currentEpochGroupData, () => ({})],
  ['/productscience/inference/inference/get_current_epoch', QUERY.currentEpoch, () => ({})],
  ['/productscience/inference/collateral/collateral/:participant', QUERY.collateral, (p) => p],
  ['/productscience/inference/collateral/params', QUERY.collateralParams, () => ({})],
  ['/productscience/inference/collateral/unbonding_collateral/:participant', QUERY.unbondingCollateral, (p) => p],
  ['/cosmos/gov/v1/proposals', QUERY.proposals, (_, q) => ({ proposal_status: q.get('proposal_status') ?? '' })],
  ['/cosmos/gov/v1/proposals/:proposal_id', QUERY.proposal, (p) => p],
  ['/cosmos/gov/v1/proposals/:proposal_id/tally', QUERY.tally, (p) => p],
  ['/productscience/inference/streamvesting/total_vesting/:address', QUERY.totalVesting, (p) => p],
  ['/cosmos/feegrant/v1beta1/allowance/:granter/:grantee', QUERY.feeAllowance, (p) => p],
  ['/cosmos/bank/v1beta1/spendable_balances/:address', QUERY.spendableBalances, (p) => p],
  ['/cosmos/bank/v1beta1/balances/:address', QUERY.allBalances, (p) => p],
  ['/cosmos/authz/v1beta1/grants/granter/:granter', QUERY.grants, (p) => p],
  ['/cosmos/auth/v1beta1/accounts/:address', QUERY.account, (p) => p],
];

const GRPC_HTTP_STATUS = { 3: 400, 5: 404, 12: 501 };

/** The REST gateway's answer to a GET: [status, body]. */
export function restQuery(pathname, search, ctx, matchPath) {
  for (const [pattern, path, argsOf] of REST) {
    const params = matchPath(pattern, pathname.replace(/\/+$/, ''));
    if (!params) continue;
    try {
      return [200, answerQuery(path, argsOf(params, new URLSearchParams(search)), ctx)];
    } catch (err) {
      if (!(err instanceof QueryError)) throw err;
      return [GRPC_HTTP_STATUS[err.code] ?? 500, { code: err.code, message: err.message.replace(/^rpc error: code = \w+ desc = /, ''), details: [] }];
    }
  }
  return [501, { code: 12, message: 'Not Implemented', details: [] }];
}
