// The decentralized-api: admin API (:9200), public API (:9000, behind the proxy's /v1/ and /v2/) and the ML server
// (:9100: PoC callbacks, the devshard runtimes versiond reads). ML nodes come from node-config.json at FIRST start
// only (a node naming a model outside the governance list is rejected whole), then live in .dapi/gonka.db and
// change only through the admin API.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { hostPathOf } from '../compose-project.mjs';
import { readJson, writeJson } from '../json-file.mjs';
import { matchPath, readJsonBody, sendError, sendJson, sendText } from '../http-util.mjs';
import { latestEpoch, epochIndexAt } from '../epochs.mjs';
import { networkHeightAt } from '../scenario.mjs';
import { updateNetwork, ensureAccount } from '../network-state.mjs';
import { ensureApiStreams } from '../nats-store.mjs';
import { accountAddress, bech32Valid } from '../keys.mjs';
import { chainOf, isPocModel } from '../chain-params.mjs';
import { newNodeRecord, setEnabled, nodeView, driveNode, inEpoch, entryError, pocModelOf } from './admin-nodes.mjs';
import { publicRoutes } from './public-api.mjs';
import { claimReward } from '../rewards.mjs';
import { containerPaused } from '../container-paused.mjs';

// PUT /admin/v1/nodes/:id exists from v0.2.4 on; older apis only have DELETE then POST.
function supportsPut(version) {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) return true;
  const [a, b, c] = m.slice(1).map(Number);
  return a > 0 || b > 2 || (b === 2 && c >= 4);
}

// The binary Cosmovisor runs: the upgrade `current` points at, else the image's own (tag vX.Y.Z).
function runningVersion(home, tag) {
  const current = home && path.join(home, 'cosmovisor/current');
  if (current && fs.existsSync(current)) {
    const target = fs.realpathSync(current);
    if (path.basename(path.dirname(target)) === 'upgrades') return path.basename(target);
  }
  return /^\d/.test(tag) ? `v${tag}` : tag;
}

const versionInfo = (application_name, version) => ({
  application_name,
  version,
  commit: crypto.createHash('sha1').update(`${application_name}@${version}`).digest('hex'),
});

export function startApi(ctx) {
  const { service, log, stateDir, running } = ctx;
  const dapi = hostPathOf(service, '/root/.dapi');
  if (!dapi) throw new Error('api: no volume mounted at /root/.dapi');
  const dbFile = path.join(dapi, 'gonka.db');
  const height = () => [...running.values()].find((r) => r.config.kind === 'node')?.instance.height() ?? networkHeightAt(ctx.scenario(), ctx.now());
  const chain = () => chainOf(ctx.scenario());
  const epochNow = () => epochIndexAt(ctx.scenario().epoch, height());
  const latest = () => latestEpoch(ctx.scenario().epoch, height(), ctx.scenario().confirmationPoc);
  const db = loadDb();
  ensureApiStreams(dapi, ctx.scenario().natsStreamMaxAgeSeconds);
  const ownAddress = service.environment.ACCOUNT_PUBKEY ? accountAddress(service.environment.ACCOUNT_PUBKEY) : undefined;
  let driving = false;

  function loadDb() {
    fs.mkdirSync(dapi, { recursive: true });
    const stored = readJson(dbFile, undefined);
    if (stored) return stored;
    const configFile = hostPathOf(service, '/root/node_config.json');
    const entries = configFile && fs.existsSync(configFile) ? JSON.parse(fs.readFileSync(configFile, 'utf8')) : [];
    const accepted = entries.filter((e) => {
      const error = entryError(e, chain());
      if (error) log(`ERROR rejected ML node from node_config.json: ${error}`);
      return !error;
    });
    log(`Loaded ${accepted.length} ML node(s) from node_config.json (first start)`);
    const fresh = { nodes: accepted.map((e, i) => newNodeRecord(e, i + 1, epochNow(), ctx.now())) };
    writeJson(dbFile, fresh, 0o600);
    return fresh;
  }

  const save = () => writeJson(dbFile, db, 0o600);
  const find = (id) => db.nodes.find((r) => r.node.id === id);
  const views = () => {
    const e = latest();
    return db.nodes.map((r) => nodeView(r, e.latest_epoch.index, e.phase, ctx.scenario().failedNodes[r.node.id], chain()));
  };

  // POST and PUT are one upsert: a new id is added, an existing one updated in place (its node_num kept)
  function upsert(entry) {
    const error = entryError(entry, chain());
    if (error) return { error };
    const rec = find(entry.id);
    if (rec) rec.node = { ...rec.node, ...entry, node_num: rec.node.node_num };
    else db.nodes.push(newNodeRecord(entry, Math.max(0, ...db.nodes.map((r) => r.node.node_num)) + 1, epochNow(), ctx.now()));
    return { node: find(entry.id).node };
  }

  function toggle(res, id, enabled) {
    const rec = find(id);
    if (!rec) return sendError(res, 404, `node not found: ${id}`);
    setEnabled(rec, enabled, epochNow());
    save();
    return sendJson(res, 200, { message: `node ${enabled ? 'enabled' : 'disabled'} successfully`, node_id: id });
  }

  const versionReports = (version) =>
    db.nodes.map((r) => ({ node_id: r.node.id, version: r.ml_node_version, ready: r.ml_node_version === version && r.current_status !== 'FAILED' }));

  const ADMIN = [
    ['GET', '/admin/v1/nodes', (req, res) => sendJson(res, 200, views())],
    [
      'POST',
      '/admin/v1/nodes',
      async (req, res) => {
        const { error, node } = upsert(await readJsonBody(req));
        if (error) return sendError(res, 400, error);
        save();
        return sendJson(res, 200, node);
      },
    ],
    [
      'PUT',
      '/admin/v1/nodes/:id',
      async (req, res, { id }) => {
        if (!supportsPut(service.version)) return sendJson(res, 405, { message: 'Method Not Allowed' });
        const entry = await readJsonBody(req);
        const { error, node } = upsert({ ...entry, id });
        if (error) return sendError(res, 400, error);
        save();
        return sendJson(res, 200, node);
      },
    ],
    [
      'POST',
      '/admin/v1/nodes/batch',
      async (req, res) => {
        const entries = await readJsonBody(req);
        if (!Array.isArray(entries)) return sendError(res, 400, 'expected an array of nodes');
        const results = entries.map(upsert);
        save();
        const nodes = results.filter((r) => r.node).map((r) => r.node);
        const errors = results.filter((r) => r.error).map((r) => r.error);
        if (errors.length === 0) return sendJson(res, 201, nodes);
        if (nodes.length === 0) return sendJson(res, 400, { error: { error: 'no node was added', errors } });
        return sendJson(res, 206, { nodes, errors });
      },
    ],
    [
      'DELETE',
      '/admin/v1/nodes/:id',
      (req, res, { id }) => {
        const before = db.nodes.length;
        db.nodes = db.nodes.filter((r) => r.node.id !== id);
        save();
        return sendJson(res, 200, db.nodes.length !== before);
      },
    ],
    ['POST', '/admin/v1/nodes/:id/enable', (req, res, { id }) => toggle(res, id, true)],
    ['POST', '/admin/v1/nodes/:id/disable', (req, res, { id }) => toggle(res, id, false)],
    [
      'GET',
      '/admin/v1/nodes/upgrade-status',
      (req, res) => {
        const plan = ctx.scenario().upgrade;
        if (!plan) return sendJson(res, 200, { message: 'No upgrade plan active' });
        return sendJson(res, 200, { plan: { name: plan.name, height: plan.height }, nodes: versionReports(plan.name) });
      },
    ],
    [
      'POST',
      '/admin/v1/nodes/version-status',
      async (req, res) => {
        const body = await readJsonBody(req);
        if (!body?.version) return sendError(res, 400, 'version is required');
        return sendJson(res, 200, { version: body.version, nodes: versionReports(body.version) });
      },
    ],
    ['GET', '/admin/v1/config', (req, res) => sendJson(res, 200, liveConfig())],
    ['GET', '/admin/v1/export/db', (req, res) => sendJson(res, 200, { nodes: db.nodes })],
    [
      'POST',
      '/admin/v1/claim-reward/recover',
      async (req, res) => {
        const body = (await readJsonBody(req)) ?? {};
        const epoch = body.epoch_index ?? epochNow() - 1;
        log(`INF reward claim recovery for epoch ${epoch} (force_claim=${body.force_claim === true})`);
        // the api sends MsgClaimRewards for its participant; the chain's result only reaches the api's log
        if (ownAddress) {
          const { amount, result } = claimReward(stateDir, ownAddress, Number(epoch), ctx.scenario().claimRefused);
          log(`INF ClaimRewards epoch=${epoch} amount=${amount} result="${result}"`);
        }
        return sendJson(res, 200, { message: 'reward claim recovery started', epoch_index: epoch, force_claim: body.force_claim === true });
      },
    ],
    ['GET', '/admin/v1/setup/report', (req, res) => sendJson(res, 200, setupReport())],
    ['POST', '/admin/v1/bridge/block', (req, res) => sendJson(res, 200, {})],
  ];

  const env = service.environment;
  const liveConfig = () => ({
    api: {
      public_url: env.DAPI_API__PUBLIC_URL ?? '',
      poc_callback_url: env.DAPI_API__POC_CALLBACK_URL ?? '',
      public_server_port: 9000,
      ml_server_port: 9100,
      admin_server_port: 9200,
    },
    chain_node: {
      url: env.DAPI_CHAIN_NODE__URL ?? '',
      p2p_url: env.DAPI_CHAIN_NODE__P2P_URL ?? '',
      seed_api_url: env.DAPI_CHAIN_NODE__SEED_API_URL ?? '',
      account_public_key: env.ACCOUNT_PUBKEY ?? '',
    },
    nodes: db.nodes.map((r) => r.node),
  });

  // the onboarding report: the checks a host fails first
  function setupReport() {
    const e = latest();
    const nodes = views();
    const checks = [
      { name: 'account_key', ok: Boolean(ownAddress), message: ownAddress ? `participant ${ownAddress}` : 'ACCOUNT_PUBKEY is not set' },
      { name: 'ml_nodes', ok: nodes.length > 0, message: `${nodes.length} ML node(s) configured` },
      {
        name: 'poc_models',
        ok: db.nodes.some((r) => pocModelOf(r, chain()) !== undefined),
        message: db.nodes.some((r) => pocModelOf(r, chain()) !== undefined) ? 'an ML node serves a PoC model' : 'no ML node serves a PoC model',
      },
      {
        name: 'ml_nodes_healthy',
        ok: nodes.every((n) => n.state.current_status !== 'FAILED'),
        message: nodes.map((n) => `${n.node.id}: ${n.state.current_status}`).join(', '),
      },
    ];
    return { block_height: e.block_height, epoch: e.latest_epoch.index, checks };
  }

  const nodeVersion = () => {
    const node = Object.values(ctx.project.services).find((s) => s.kind === 'node');
    return node ? runningVersion(hostPathOf(node, '/root/.inference'), node.version) : '';
  };

  const versions = () => ({
    timestamp: new Date(ctx.now()).toISOString(),
    api_version: versionInfo('decentralized-api', runningVersion(dapi, service.version)),
    node_version: versionInfo('inference-chain', nodeVersion()),
    mlnodes: db.nodes.map((r) => ({ node_id: r.node.id, version: r.ml_node_version, poc_validation_inference: r.poc_validation_inference })),
  });

  function register(res, body) {
    const refused = ctx.scenario().registrationRefused;
    if (refused) return sendError(res, 400, refused);
    if (!body?.pub_key || Buffer.from(body.pub_key, 'base64').length !== 33)
      return sendError(res, 400, 'invalid pub_key: expected a base64 secp256k1 compressed public key');
    const address = accountAddress(body.pub_key);
    if (body.address && (!bech32Valid(body.address) || body.address !== address)) return sendError(res, 400, 'address does not match pub_key');
    const h = height();
    updateNetwork(stateDir, (net) => {
      net.participants[address] = {
        pubkey: body.pub_key,
        balance: 0,
        url: body.url,
        validator_key: body.validator_key ?? '',
        registeredHeight: h,
        registeredEpoch: epochIndexAt(ctx.scenario().epoch, h),
        epochNodes: {},
      };
      // the seed submits MsgSubmitNewUnfundedParticipant: the account exists on chain from now on
      ensureAccount(net, address, ctx.scenario().fundRegisteredAccounts ?? {});
      return net;
    });
    log(`INF registered participant ${address} url=${body.url}`);
    return sendJson(res, 200, { address, pubkey: body.pub_key });
  }

  // Publishes which of this participant's nodes take part in the epoch, as the chain records after PoC: those
  // that committed PoC for a PoC model.
  function publishEpochNodes(epoch) {
    if (!ownAddress) return;
    const failed = ctx.scenario().failedNodes;
    const nodes = db.nodes
      .filter((r) => inEpoch(r, epoch) && !failed[r.node.id] && r.current_status !== 'FAILED' && pocModelOf(r, chain()) !== undefined)
      .map((r) => ({
        node_id: r.node.id,
        throughput: 1000,
        poc_weight: 100,
        timeslot_allocation: [true, false],
        models: Object.keys(r.node.models).filter((m) => isPocModel(chain(), m)),
      }));
    updateNetwork(stateDir, (net) => {
      const p = net.participants[ownAddress];
      if (p) net.participants[ownAddress] = { ...p, epochNodes: { ...(p.epochNodes ?? {}), [epoch]: nodes } };
      return net;
    });
  }

  const PUBLIC = [
    ['GET', '/v1/versions', (req, res) => sendJson(res, 200, versions())],
    ['POST', '/v1/participants', async (req, res) => register(res, await readJsonBody(req))],
    ['GET', '/v1/mlnodes/metrics', (req, res) => sendText(res, 200, mlnodeMetrics())],
    ...publicRoutes({ stateDir, scenario: ctx.scenario, height }, { beforeParticipants: publishEpochNodes }),
  ];

  const mlnodeMetrics = () =>
    `${db.nodes.map((r) => `gonka_mlnode_up{node_id="${r.node.id}",version="${r.ml_node_version}"} ${r.current_status === 'FAILED' ? 0 : 1}`).join('\n')}\n`;

  const devshardVersions = () => chain().devshardVersions;

  const ML = [
    ['POST', '/v2/poc-batches/:model_id/generated', (req, res) => sendJson(res, 200, {})],
    ['POST', '/v2/poc-batches/:model_id/validated', (req, res) => sendJson(res, 200, {})],
    ['GET', '/versions', (req, res) => sendJson(res, 200, { versions: devshardVersions() })],
    ['GET', '/metrics', (req, res) => sendText(res, 200, mlnodeMetrics())],
    [
      'GET',
      '/sd/devshardd',
      (req, res) =>
        sendJson(
          res,
          200,
          devshardVersions().map((v) => ({ targets: ['versiond:8080'], labels: { version: v.name } })),
        ),
    ],
  ];

  async function tick() {
    // a paused container runs nothing (docker pause): the api leaves its ML nodes as they are
    if (driving || containerPaused(ctx.service.containerName)) return;
    driving = true;
    try {
      const e = latest();
      const failed = ctx.scenario().failedNodes;
      for (const rec of db.nodes.filter((r) => !failed[r.node.id])) {
        await driveNode(rec, { stateDir, epoch: e.latest_epoch.index, phase: e.phase, height: e.block_height, chain: chain(), now: ctx.now(), log });
      }
      publishEpochNodes(e.latest_epoch.index);
      save();
    } finally {
      driving = false;
    }
  }

  return {
    handlers: { 9200: router(ADMIN), 9000: router(PUBLIC), 9100: router(ML) },
    publicApi: router(PUBLIC),
    devshardVersions,
    tick,
    tickEveryMs: 1000,
    state: () => 'running',
    close() {},
  };
}

export function router(routes) {
  return async (req, res) => {
    const { pathname } = new URL(req.url, 'http://api');
    for (const [method, pattern, handle] of routes) {
      const params = matchPath(pattern, pathname.replace(/\/+$/, '') || '/');
      if (params && method === req.method) {
        try {
          return await handle(req, res, params);
        } catch (err) {
          return sendError(res, err instanceof SyntaxError ? 400 : 500, err.message);
        }
      }
    }
    const known = routes.some(([, pattern]) => matchPath(pattern, pathname));
    return known ? sendJson(res, 405, { message: 'Method Not Allowed' }) : sendJson(res, 404, { message: 'Not Found' });
  };
}
