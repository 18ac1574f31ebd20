// The inferenced network node: CometBFT RPC, block sync toward the simulated network height,
// Cosmovisor halting at an upgrade whose binary is missing.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { hostPathOf } from '../compose-project.mjs';
import { cometAddress, ed25519PublicKey } from '../keys.mjs';
import { networkHeightAt } from '../scenario.mjs';
import { readNetwork, isJailed } from '../network-state.mjs';
import { readJson, writeJson } from '../json-file.mjs';
import { matchPath, readBody, sendJson } from '../http-util.mjs';
import { statusResult, rpcResult, rpcError } from './comet-status.mjs';
import { tmkmsHome, consensusPubkey } from './tmkms.mjs';
import { broadcastTx, simulateTx } from '../chain-ledger.mjs';
import { abciQuery, restQuery } from '../chain-queries.mjs';
import { readStatusKnobs, netInfoResult } from '../status-knobs.mjs';
import { seedNodeId } from '../seed-api.mjs';
import { blockResults, blockSearch } from '../bootstrap-eligibility.mjs';

function ensureKeyFile(file, type) {
  if (!fs.existsSync(file)) {
    const seed = crypto.randomBytes(32);
    const value = Buffer.concat([seed, ed25519PublicKey(seed)]).toString('base64');
    writeJson(file, { priv_key: { type, value } }, 0o600);
  }
  return ed25519PublicKey(Buffer.from(readJson(file).priv_key.value, 'base64').subarray(0, 32));
}

function consensusKeyOf(ctx, home) {
  const tmkms = Object.values(ctx.project.services).find((s) => s.kind === 'tmkms');
  const fromTmkms = tmkms && consensusPubkey(tmkmsHome(tmkms));
  return fromTmkms ?? ensureKeyFile(path.join(home, 'config/priv_validator_key.json'), 'tendermint/PrivKeyEd25519');
}

// Real format: upgrade-info.json is the x/upgrade Plan, `info` a JSON string.
function writeUpgradeInfo(home, upgrade) {
  writeJson(path.join(home, 'data/upgrade-info.json'), { name: upgrade.name, time: '0001-01-01T00:00:00Z', height: upgrade.height, info: upgrade.info });
}

function currentUpgrade(home) {
  const current = path.join(home, 'cosmovisor/current');
  if (!fs.existsSync(current)) return undefined;
  const target = fs.realpathSync(current);
  return path.basename(path.dirname(target)) === 'upgrades' ? path.basename(target) : undefined;
}

const upgradeBinary = (home, name) => path.join(home, 'cosmovisor/upgrades', name, 'bin/inferenced');

// The init's `inferenced set-seeds config.toml RPC P2P`: p2p.seeds = the seed's node id (from its /status) @ the p2p
// host:port. Only at the first start: afterwards .node_initialized stands and seeds are not re-applied (reference
// gonka-interfaces.md §1.3; gonka-operations.md §13).
function writeSeeds(home, env) {
  const rpc = env.SEED_NODE_RPC_URL ?? '';
  const p2p = (env.SEED_NODE_P2P_URL ?? '').replace(/^tcp:\/\//, '');
  const seeds = rpc && p2p ? `${seedNodeId(rpc.replace(/\/chain-rpc\/?$/, ''))}@${p2p}` : '';
  fs.mkdirSync(path.join(home, 'config'), { recursive: true });
  fs.writeFileSync(path.join(home, 'config/config.toml'), `[p2p]\nseeds = "${seeds}"\n`);
}

export function startNode(ctx) {
  const { service, log, stateDir } = ctx;
  const home = hostPathOf(service, '/root/.inference');
  if (!home) throw new Error('node: no volume mounted at /root/.inference');
  fs.mkdirSync(path.join(home, 'data'), { recursive: true });
  const nodeKey = ensureKeyFile(path.join(home, 'config/node_key.json'), 'tendermint/PrivKeyEd25519');
  const marker = path.join(home, '.node_initialized');
  if (!fs.existsSync(marker)) {
    log(`Initializing node with seeds rpc=${service.environment.SEED_NODE_RPC_URL ?? ''} p2p=${service.environment.SEED_NODE_P2P_URL ?? ''}`);
    writeSeeds(home, service.environment);
    fs.writeFileSync(marker, '');
  }
  const heightFile = path.join(home, 'data/priv_validator_state.json');
  const scenario0 = ctx.scenario();
  const stored = readJson(heightFile, undefined);
  const snapshots = (service.environment.SYNC_WITH_SNAPSHOTS ?? 'true') !== 'false';
  const startHeight = stored ? Number(stored.height) : snapshots ? Math.max(1, networkHeightAt(scenario0, ctx.now()) - scenario0.snapshotLagBlocks) : 1;
  if (!stored) log(`INF Applied snapshot chunk to ABCI app height=${startHeight} module=statesync`);
  let height = startHeight;
  let exact = startHeight;
  let halted = false;
  let restartCount = 0;
  let lastAdvance = ctx.now();
  let lastRestart = 0;
  const pub = () => consensusKeyOf(ctx, home);

  function upgradeDue(scenario) {
    const up = scenario.upgrade;
    if (!up || height < up.height - 1) return undefined;
    return currentUpgrade(home) === up.name ? undefined : up;
  }

  function haltOrSwitch(up) {
    if (fs.existsSync(upgradeBinary(home, up.name))) {
      const current = path.join(home, 'cosmovisor/current');
      fs.rmSync(current, { force: true });
      fs.symlinkSync(path.join('upgrades', up.name), current);
      log(`INF applying upgrade "${up.name}" at height: ${up.height} module=x/upgrade`);
      halted = false;
      return;
    }
    if (!halted) writeUpgradeInfo(home, up);
    halted = true;
    // Under `restart: always` a node missing its upgrade binary crash-loops, panicking each time (docker's
    // restart back-off is wall time)
    const wall = Date.now();
    if (wall - lastRestart < 2000) return;
    if (lastRestart) restartCount++;
    lastRestart = wall;
    const msg = `UPGRADE "${up.name}" NEEDED at height: ${up.height}: ${up.info}`;
    log(`ERR ${msg} module=x/upgrade`);
    log(`panic: ${msg}`);
  }

  // sync toward the network up to simulated time `now`
  function advance(now) {
    const scenario = ctx.scenario();
    const dt = Math.max(0, now - lastAdvance) / 1000;
    lastAdvance = Math.max(lastAdvance, now);
    const up = upgradeDue(scenario);
    if (up) {
      height = up.height - 1;
      exact = height;
      haltOrSwitch(up);
      if (halted) return;
    }
    const network = networkHeightAt(scenario, now);
    const before = height;
    exact = exact < network ? Math.min(network, exact + scenario.syncBlocksPerSecond * dt) : network;
    height = Math.floor(exact);
    const pending = scenario.upgrade && currentUpgrade(home) !== scenario.upgrade.name ? scenario.upgrade : undefined;
    if (pending && height >= pending.height - 1) {
      height = pending.height - 1;
      exact = height;
    }
    if (height !== before) {
      const verb = height < network ? 'executed block' : 'finalizing commit of block';
      log(
        `INF ${verb} hash=${crypto.createHash('sha256').update(String(height)).digest('hex').toUpperCase().slice(0, 64)} height=${height} module=${height < network ? 'state' : 'consensus'} num_txs=0`,
      );
      writeJson(heightFile, { height: String(height), round: 0, step: 0 });
    }
  }

  function snapshot() {
    const scenario = ctx.scenario();
    const consensus = pub();
    const network = readNetwork(stateDir);
    const consensusB64 = consensus.toString('base64');
    const participant = Object.entries(network.participants).find(([, p]) => p.validator_key === consensusB64);
    const jailed = participant ? isJailed(scenario, network, participant[0]) : true;
    return {
      height,
      networkHeight: Math.max(height, networkHeightAt(scenario, ctx.now())),
      blocksPerSecond: scenario.blocksPerSecond,
      earliestHeight: startHeight,
      nodeId: cometAddress(nodeKey).toString('hex'),
      listenAddr: service.environment.P2P_EXTERNAL_ADDRESS || 'tcp://0.0.0.0:26656',
      chainId: service.environment.CHAIN_ID ?? 'gonka-mainnet',
      moniker: service.environment.KEY_NAME || service.hostname,
      validatorAddress: cometAddress(consensus).toString('hex').toUpperCase(),
      consensusPubkey: consensusB64,
      votingPower: participant && !jailed ? (participant[1].weight ?? 1) : 0,
    };
  }

  const METHODS = {
    status: () => statusResult(snapshot()),
    health: () => ({}),
    net_info: () => netInfoResult(readStatusKnobs(stateDir).peers),
    broadcast_tx_sync: (params) => broadcastTx(stateDir, ctx.scenario(), params.tx, ctx.now()),
    abci_query: (params) => ({ response: query(unquote(params.path), unquote(params.data ?? '')) }),
    block_search: (params) => blockSearch(stateDir, ctx.scenario(), height, params),
    block_results: (params) => blockResults(stateDir, ctx.scenario(), height, params),
  };

  const queryContext = () => ({ stateDir, scenario: ctx.scenario(), height, now: ctx.now() });

  // the tx service's Simulate rides on abci_query as in CometBFT (`/cosmos.tx.v1beta1.Service/Simulate`, data = the tx)
  function query(path, dataHex) {
    if (path !== SIMULATE) return abciQuery(queryContext(), path, dataHex);
    const tx = Buffer.from(dataHex.replace(/^0x/, ''), 'hex').toString('base64');
    return { code: 0, log: '', value: Buffer.from(JSON.stringify(simulateTx(tx))).toString('base64'), height: String(height) };
  }

  // the REST gateway (:1317): chain queries over HTTP, the proxy's /chain-api/
  async function rest(req, res) {
    if (halted) {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url, 'http://node');
    if (req.method !== 'GET') return sendJson(res, 405, { code: 12, message: 'Method Not Allowed', details: [] });
    const [status, body] = restQuery(url.pathname, url.search, queryContext(), matchPath);
    return sendJson(res, status, body);
  }

  async function rpc(req, res) {
    if (halted) {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url, 'http://node');
    if (req.method === 'POST') {
      const call = JSON.parse((await readBody(req)) || '{}');
      const method = METHODS[call.method];
      if (!method) return sendJson(res, 200, rpcError(call.id ?? -1, -32601, 'Method not found', ''));
      return sendJson(res, 200, rpcResult(call.id ?? -1, method(call.params ?? {})));
    }
    const method = METHODS[url.pathname.replace(/^\/+/, '')];
    if (!method) return sendJson(res, 404, rpcError(-1, -32601, 'Method not found', url.pathname));
    return sendJson(res, 200, rpcResult(-1, method(Object.fromEntries(url.searchParams))));
  }

  return {
    handlers: { 26657: rpc, 26656: 'tcp', 1317: rest },
    rpc,
    rest,
    advance,
    state: () => (halted ? 'restarting' : 'running'),
    restartCount: () => restartCount,
    height: () => height,
    close() {},
  };
}

const SIMULATE = '/cosmos.tx.v1beta1.Service/Simulate';

const unquote = (v) => String(v).replace(/^"(.*)"$/, '$1');
