import { chainQuery } from '../facts/builtin/chain-query.js';
import { httpGet, type HttpAnswer } from '../facts/builtin/http.js';
import { createFactStore } from '../facts/fact-store.js';
import { request } from '../facts/fact.js';
import { gatherGpuFacts, type GpuFacts } from '../gpu/facts.js';
import type { Transport } from '../transport/transport.js';
import { accountAddress } from '../gonka/account-address.js';
import { summarizeNodes, type MlNodeSummary } from './admin-nodes.js';
import { deployEndpoints, type DeployEndpoints } from './deploy-endpoints.js';
import { chainQueries, parseChainQueries, type ChainQueryResult } from './chain-queries.js';
import { delegatesOf, participationOf, participationQueries, storeCommitQuery, withCommits, type ParticipationStatus } from './participation-status.js';
import { runStatusProbe, type StatusProbe } from './status-probe.js';
import type { StatusTarget } from './status-target.js';

export interface ChainStatus {
  height: number;
  latestBlockTime: string;
  catchingUp: boolean;
  votingPower: number;
}

export interface EpochStatus {
  index: number;
  phase: string;
  blockHeight: number;
  nextPocStart: number;
  /** where this epoch's PoC started (latest_epoch.poc_start_block_height) */
  pocStart: number;
  /** a Confirmation PoC runs (inside the Inference phase): no restart now */
  confirmationPoc: boolean;
}

export interface ParticipantStatus {
  address: string;
  /** weight in the current epoch's active set (public API /v1/epochs/current/participants), null when not in it */
  weight: number | null;
  /** `jailed` of the account's own validator (`inferenced query staking delegator-validators`) */
  jailed: boolean | null;
  /** current_epoch_stats of the Participant record (`inferenced query inference show-participant`) */
  inferenceCount: number | null;
  missedRequests: number | null;
  /** why a chain query gave no value */
  queryErrors: string[];
}

/** Everything gathered about one host, before any judgement. */
export interface HostStatusData {
  host: string;
  network: boolean;
  ml: boolean;
  probe: StatusProbe;
  gpuFacts: GpuFacts | null;
  endpoints: DeployEndpoints;
  chain: ChainStatus | { error: string } | null;
  peers: number | null;
  networkHeight: number | null;
  epoch: EpochStatus | null;
  participant: ParticipantStatus | null;
  mlNodes: MlNodeSummary[] | { error: string } | null;
  /** per live PoC model: served, delegated, refused or nothing (null: not a network node, or no account key) */
  participation: ParticipationStatus | null;
  /** when the host was asked for its chain status (ms since the epoch): the last block's age is measured from it */
  at: number;
}

const rec = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
const num = (v: unknown): number | null => (v === undefined || v === null || v === '' || Number.isNaN(Number(v)) ? null : Number(v));
const failure = (r: HttpAnswer, what: string, why = 'no answer') => ({ error: r.status === 0 ? `${what}: ${why}` : `${what}: HTTP ${r.status}` });

const UNPUBLISHED = 'not published in the compose file';

const chainOf = (r: HttpAnswer): ChainStatus | { error: string } => {
  if (r.status !== 200) return failure(r, 'chain RPC /status');
  const result = rec(rec(r.json).result);
  const sync = rec(result.sync_info);
  return {
    height: num(sync.latest_block_height) ?? 0,
    latestBlockTime: String(sync.latest_block_time ?? ''),
    catchingUp: sync.catching_up === true,
    votingPower: num(rec(result.validator_info).voting_power) ?? 0,
  };
};

const epochOf = (r: HttpAnswer): EpochStatus | null => {
  if (r.status !== 200) return null;
  const b = rec(r.json);
  return {
    index: num(rec(b.latest_epoch).index) ?? 0,
    phase: String(b.phase ?? ''),
    blockHeight: num(b.block_height) ?? 0,
    nextPocStart: num(rec(b.epoch_stages).next_poc_start) ?? 0,
    pocStart: num(rec(b.latest_epoch).poc_start_block_height) ?? 0,
    confirmationPoc: b.is_confirmation_poc_active === true,
  };
};

const weightIn = (r: HttpAnswer, address: string): number | null => {
  if (r.status !== 200) return null;
  const list = rec(rec(r.json).active_participants).participants;
  const me = Array.isArray(list) ? list.map(rec).find((p) => p.index === address) : undefined;
  return me ? (num(me.weight) ?? 0) : null;
};

const participantOf = (address: string, current: HttpAnswer, chain: ChainQueryResult): ParticipantStatus => ({
  address,
  weight: weightIn(current, address),
  jailed: chain.jailed,
  inferenceCount: chain.inferenceCount,
  missedRequests: chain.missedRequests,
  queryErrors: chain.errors,
});

const heightOf = (r: HttpAnswer | undefined): number | null => (r?.status === 200 ? num(rec(rec(rec(r.json).result).sync_info).latest_block_height) : null);

/**
 * The network node's side: chain, epoch, participant, ML nodes, in one script run on the host: curl to the internal
 * APIs (CometBFT RPC /status and /net_info, admin API, public API through the proxy, the seed's RPC) and the node
 * image's CLI for what only the chain's gRPC queries hold (jailing, this epoch's missed requests).
 */
const gatherNetwork = async (transport: Transport, target: StatusTarget, probe: StatusProbe, endpoints: DeployEndpoints) => {
  const pubkey = probe.env.ACCOUNT_PUBKEY ?? target.accountPubkey;
  const address = pubkey ? accountAddress(pubkey) : undefined;
  const seed = probe.env.SEED_NODE_RPC_URL;
  const urls = {
    status: endpoints.rpc && `${endpoints.rpc}/status`,
    netInfo: endpoints.rpc && `${endpoints.rpc}/net_info`,
    nodes: endpoints.admin && `${endpoints.admin}/admin/v1/nodes`,
    epoch: endpoints.api && `${endpoints.api}/v1/epochs/latest`,
    current: endpoints.api && `${endpoints.api}/v1/epochs/current/participants`,
    seed: seed && `${seed.replace(/\/+$/, '')}/status`,
  };
  const keys = (Object.keys(urls) as (keyof typeof urls)[]).filter((k) => urls[k]);
  const gets = keys.map((k) => ({ url: urls[k] as string, timeout: 4 }));
  const queries = address ? chainQueries(probe.deployDir, address) : undefined;
  const pocQueries = address ? participationQueries(probe.deployDir, address) : undefined;
  // one round trip: every GET and chain query in one batch
  const facts = createFactStore(transport).reader(undefined);
  // the last block's age is the node's as it was asked, not plus the chain queries after it in the batch (seconds
  // each on a busy host, which would turn a healthy node's age into a WARN)
  const askedAt = Date.now();
  await facts.readAll([
    ...gets.map((g) => request(httpGet, g)),
    ...(queries ? [request(chainQuery, queries.validators), request(chainQuery, queries.participant)] : []),
    ...(pocQueries ? [request(chainQuery, pocQueries.params), request(chainQuery, pocQueries.choices)] : []),
  ]);
  const answers = await Promise.all(gets.map((g) => facts.read(httpGet, g)));
  const got = Object.fromEntries(keys.map((k, i) => [k, answers[i]])) as Partial<Record<keyof typeof urls, HttpAnswer>>;
  const missing: HttpAnswer = { status: 0, body: '' };
  const chain = queries && { validators: await facts.read(chainQuery, queries.validators), participant: await facts.read(chainQuery, queries.participant) };
  const nodes = got.nodes ?? missing;
  const mlNodes = nodes.status === 200 ? summarizeNodes(nodes.json) : failure(nodes, 'admin API /admin/v1/nodes', got.nodes ? 'no answer' : UNPUBLISHED);
  const epoch = epochOf(got.epoch ?? missing);
  const served = new Set(Array.isArray(mlNodes) ? mlNodes.map((n) => n.model) : []);
  let participation: ParticipationStatus | null = null;
  if (address && pocQueries) {
    const answers = { params: await facts.read(chainQuery, pocQueries.params), choices: await facts.read(chainQuery, pocQueries.choices) };
    participation = participationOf(answers, address, served, epoch?.index ?? 0);
    // a second round trip, only when a delegation needs its delegate's commit of this epoch
    const delegates = epoch ? delegatesOf(participation) : [];
    const commitQueries = delegates.map((d) => storeCommitQuery(probe.deployDir, epoch?.pocStart ?? 0, d));
    await facts.readAll(commitQueries.map((q) => request(chainQuery, q)));
    const commits = new Map(await Promise.all(delegates.map(async (d, i) => [d, await facts.read(chainQuery, commitQueries[i])] as const)));
    participation = withCommits(participation, commits);
  }
  return {
    chain: got.status ? chainOf(got.status) : failure(missing, 'chain RPC /status', UNPUBLISHED),
    peers: got.netInfo?.status === 200 ? num(rec(rec(got.netInfo.json).result).n_peers) : null,
    networkHeight: heightOf(got.seed),
    epoch,
    participant: address && chain ? participantOf(address, got.current ?? missing, parseChainQueries(chain, address)) : null,
    mlNodes,
    participation,
    at: askedAt,
  };
};

/** Read one host: the probe script and the GPU facts (in parallel), then the internal APIs from the host itself. */
export const gatherHostStatus = async (transport: Transport, target: StatusTarget): Promise<HostStatusData> => {
  const [probe, gpuFacts] = await Promise.all([
    runStatusProbe(transport, target.deployDir),
    target.ml ? gatherGpuFacts(transport, {}, { deployDir: target.deployDir, hfHome: target.hfHome }).catch(() => null) : Promise.resolve(null),
  ]);
  const endpoints = deployEndpoints(probe.compose.flatMap((c) => c.ports));
  const network = target.network
    ? await gatherNetwork(transport, target, probe, endpoints)
    : { chain: null, peers: null, networkHeight: null, epoch: null, participant: null, mlNodes: null, participation: null, at: Date.now() };
  return { host: target.host, network: target.network, ml: target.ml, probe, gpuFacts, endpoints, ...network };
};
