// The simulated chain's transactions and queries. Txs arrive as base64 JSON messages through
// broadcast_tx_sync (the real chain takes protobuf; the shape of the exchange is the same).
import crypto from 'node:crypto';
import { readNetwork, updateNetwork, isJailed } from './network-state.mjs';
import { bech32Encode } from './keys.mjs';
import { readStatusKnobs, currentEpochStats } from './status-knobs.mjs';

export const MSG = Object.freeze({
  grantMlOps: '/inference.inference.MsgGrantMlOpsPermissions',
  submitNewParticipant: '/inference.inference.MsgSubmitNewParticipant',
  unjail: '/cosmos.slashing.v1beta1.MsgUnjail',
  vote: '/cosmos.gov.v1.MsgVote',
  depositCollateral: '/inference.collateral.MsgDepositCollateral',
  withdrawCollateral: '/inference.collateral.MsgWithdrawCollateral',
});

export const QUERY = Object.freeze({
  delegatorValidators: '/cosmos.staking.v1beta1.Query/DelegatorValidators',
  tally: '/cosmos.gov.v1.Query/TallyResult',
  collateral: '/inference.collateral.Query/Collateral',
  grants: '/cosmos.authz.v1beta1.Query/GranterGrants',
  participant: '/inference.inference.Query/Participant',
});

// A failed gRPC query as the CLI reports it (codes: google.golang.org/grpc/codes).
class QueryError extends Error {
  constructor(code, log) {
    super(log);
    this.code = code;
  }
}

const txHash = (tx) => crypto.createHash('sha256').update(tx).digest('hex').toUpperCase();

const APPLY = {
  [MSG.grantMlOps]: (net, msg) => {
    net.grants = net.grants.filter((g) => !(g.granter === msg.from && g.grantee === msg.grantee));
    net.grants.push({ granter: msg.from, grantee: msg.grantee, authorization: 'ml-ops' });
  },
  [MSG.submitNewParticipant]: (net, msg) => {
    const existing = net.participants[msg.from] ?? { pubkey: msg.pubkey, balance: 0 };
    net.participants[msg.from] = { ...existing, url: msg.url, validator_key: msg.validator_key };
  },
  [MSG.unjail]: (net, msg, { scenario, now }) => {
    if (!isJailed(scenario, net, msg.from)) return { code: 5, codespace: 'slashing', log: 'validator not jailed; cannot be unjailed' };
    net.unjailedAt[msg.from] = now;
  },
  [MSG.vote]: (net, msg) => {
    net.votes = net.votes.filter((v) => !(v.proposal_id === msg.proposal_id && v.voter === msg.from));
    net.votes.push({ proposal_id: msg.proposal_id, voter: msg.from, option: msg.option });
  },
  [MSG.depositCollateral]: (net, msg) => {
    net.collateral[msg.from] = (net.collateral[msg.from] ?? 0) + amountOf(msg.amount);
  },
  [MSG.withdrawCollateral]: (net, msg) => {
    const held = net.collateral[msg.from] ?? 0;
    if (held < amountOf(msg.amount)) return { code: 5, codespace: 'collateral', log: 'insufficient collateral' };
    net.collateral[msg.from] = held - amountOf(msg.amount);
  },
};

const DENOMS = { ngonka: 1, ugonka: 1e3, mgonka: 1e6, gonka: 1e9 };

function amountOf(text) {
  const m = /^(\d+)([a-z]+)$/.exec(String(text));
  if (!m || !DENOMS[m[2]]) throw new Error(`invalid coin: ${text}`);
  return Number(m[1]) * DENOMS[m[2]];
}

export function broadcastTx(stateDir, scenario, txBase64, now) {
  const msg = JSON.parse(Buffer.from(txBase64, 'base64').toString('utf8'));
  const apply = APPLY[msg['@type']];
  const hash = txHash(txBase64);
  if (!apply) return { code: 6, codespace: 'sdk', log: `unable to resolve type URL ${msg['@type']}`, data: '', hash };
  let outcome;
  updateNetwork(stateDir, (net) => {
    outcome = apply(net, msg, { scenario, now });
    return net;
  });
  return { code: 0, codespace: '', log: '', data: '', ...(outcome ?? {}), hash };
}

const QUERIES = {
  [QUERY.delegatorValidators]: (net, args, scenario) => {
    const p = net.participants[args.delegator_addr];
    if (!p) return { validators: [], pagination: { next_key: null, total: '0' } };
    const operator = bech32Encode('gonkavaloper', Buffer.from(decodeAddress(args.delegator_addr)));
    const jailed = isJailed(scenario, net, args.delegator_addr);
    return {
      validators: [
        {
          operator_address: operator,
          consensus_pubkey: { '@type': '/cosmos.crypto.ed25519.PubKey', key: p.validator_key ?? '' },
          jailed,
          status: jailed ? 'BOND_STATUS_UNBONDING' : 'BOND_STATUS_BONDED',
          tokens: String(p.weight ?? 0),
          description: { moniker: p.url ?? '' },
        },
      ],
      pagination: { next_key: null, total: '1' },
    };
  },
  [QUERY.tally]: (net, args) => {
    const count = (option) => String(net.votes.filter((v) => v.proposal_id === args.proposal_id && v.option === option).length);
    return { tally: { yes_count: count('yes'), abstain_count: count('abstain'), no_count: count('no'), no_with_veto_count: count('no_with_veto') } };
  },
  [QUERY.collateral]: (net, args) => ({ amount: { denom: 'ngonka', amount: String(net.collateral[args.participant] ?? 0) } }),
  [QUERY.grants]: (net, args) => ({ grants: net.grants.filter((g) => g.granter === args.granter) }),
  // Gonka's Ignite-scaffolded Participant map (x/inference, keyed by `index` = the account address);
  // proto3 JSON: int64/uint64 as strings, int32 as numbers, enums by name.
  [QUERY.participant]: (net, args, scenario, stateDir) => {
    const p = net.participants[args.index];
    if (!p) throw new QueryError(5, 'rpc error: code = NotFound desc = not found');
    const weight =
      Object.values(p.epochNodes ?? {})
        .at(-1)
        ?.reduce((sum, n) => sum + n.poc_weight, 0) ?? 0;
    return {
      participant: {
        index: args.index,
        address: args.index,
        weight,
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
        current_epoch_stats: currentEpochStats(readStatusKnobs(stateDir)),
      },
    };
  },
};

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

export function abciQuery(stateDir, scenario, path, dataHex) {
  const answer = QUERIES[path];
  if (!answer) return { code: 6, log: `unknown query path ${path}`, value: null };
  const args = dataHex ? JSON.parse(Buffer.from(dataHex.replace(/^0x/, ''), 'hex').toString('utf8')) : {};
  try {
    const value = answer(readNetwork(stateDir), args, scenario, stateDir);
    return { code: 0, log: '', value: Buffer.from(JSON.stringify(value)).toString('base64'), height: '0' };
  } catch (err) {
    if (err instanceof QueryError) return { code: err.code, log: err.message, value: null, height: '0' };
    throw err;
  }
}
