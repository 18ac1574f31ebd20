// The decentralized-api: admin API (:9200), public API (:9000, behind the proxy's /v1/) and the
// PoC callback server (:9100). ML nodes come from node-config.json at FIRST start only, then
// live in .dapi/gonka.db and change only through the admin API.
import fs from 'node:fs';
import path from 'node:path';
import { hostPathOf } from '../compose-project.mjs';
import { readJson, writeJson } from '../json-file.mjs';
import { matchPath, readJsonBody, sendError, sendJson } from '../http-util.mjs';
import { latestEpoch, epochIndexAt } from '../epochs.mjs';
import { networkHeightAt } from '../scenario.mjs';
import { readNetwork, updateNetwork } from '../network-state.mjs';
import { accountAddress, bech32Valid } from '../keys.mjs';
import { newNodeRecord, setEnabled, nodeView, driveNode, inEpoch } from './admin-nodes.mjs';

// PUT /admin/v1/nodes/:id exists from v0.2.4 on; older apis only have DELETE then POST.
function supportsPut(version) {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) return true;
  const [a, b, c] = m.slice(1).map(Number);
  return a > 0 || b > 2 || (b === 2 && c >= 4);
}

export function startApi(ctx) {
  const { service, log, stateDir, running } = ctx;
  const dapi = hostPathOf(service, '/root/.dapi');
  if (!dapi) throw new Error('api: no volume mounted at /root/.dapi');
  const dbFile = path.join(dapi, 'gonka.db');
  const height = () => [...running.values()].find((r) => r.config.kind === 'node')?.instance.height() ?? networkHeightAt(ctx.scenario(), ctx.now());
  const epochNow = () => epochIndexAt(ctx.scenario().epoch, height());
  const db = loadDb();
  const ownAddress = service.environment.ACCOUNT_PUBKEY ? accountAddress(service.environment.ACCOUNT_PUBKEY) : undefined;
  let driving = false;

  function loadDb() {
    fs.mkdirSync(dapi, { recursive: true });
    const stored = readJson(dbFile, undefined);
    if (stored) return stored;
    const configFile = hostPathOf(service, '/root/node_config.json');
    const entries = configFile && fs.existsSync(configFile) ? JSON.parse(fs.readFileSync(configFile, 'utf8')) : [];
    log(`Loaded ${entries.length} ML node(s) from node_config.json (first start)`);
    const fresh = { nodes: entries.map((e, i) => newNodeRecord(e, i + 1, epochNow())) };
    writeJson(dbFile, fresh, 0o600);
    return fresh;
  }

  const save = () => writeJson(dbFile, db, 0o600);
  const find = (id) => db.nodes.find((r) => r.node.id === id);
  const views = () => {
    const e = latestEpoch(ctx.scenario().epoch, height());
    return db.nodes.map((r) => nodeView(r, e.latest_epoch.index, e.phase, ctx.scenario().failedNodes[r.node.id]));
  };

  function addNode(entry) {
    if (!entry || typeof entry.id !== 'string' || !entry.host) return 'node id and host are required';
    if (find(entry.id)) return `node with id ${entry.id} already exists`;
    db.nodes.push(newNodeRecord(entry, Math.max(0, ...db.nodes.map((r) => r.node.node_num)) + 1, epochNow()));
    return undefined;
  }

  function toggle(res, id, enabled) {
    const rec = find(id);
    if (!rec) return sendError(res, 404, `node not found: ${id}`);
    setEnabled(rec, enabled, epochNow());
    save();
    return sendJson(res, 200, { message: `node ${enabled ? 'enabled' : 'disabled'} successfully`, node_id: id });
  }

  const ADMIN = [
    ['GET', '/admin/v1/nodes', (req, res) => sendJson(res, 200, views())],
    [
      'POST',
      '/admin/v1/nodes',
      async (req, res) => {
        const entry = await readJsonBody(req);
        const error = addNode(entry);
        if (error) return sendError(res, 400, error);
        save();
        return sendJson(res, 200, find(entry.id).node);
      },
    ],
    [
      'POST',
      '/admin/v1/nodes/batch',
      async (req, res) => {
        const entries = await readJsonBody(req);
        if (!Array.isArray(entries)) return sendError(res, 400, 'expected an array of nodes');
        const added = entries.filter((e) => addNode(e) === undefined).map((e) => find(e.id).node);
        save();
        return sendJson(res, 201, added);
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
    [
      'PUT',
      '/admin/v1/nodes/:id',
      async (req, res, { id }) => {
        if (!supportsPut(service.version)) return sendJson(res, 405, { message: 'Method Not Allowed' });
        const rec = find(id);
        if (!rec) return sendError(res, 404, `node not found: ${id}`);
        const entry = await readJsonBody(req);
        rec.node = { ...rec.node, ...entry, id, node_num: rec.node.node_num };
        save();
        return sendJson(res, 200, rec.node);
      },
    ],
    ['POST', '/admin/v1/nodes/:id/enable', (req, res, { id }) => toggle(res, id, true)],
    ['POST', '/admin/v1/nodes/:id/disable', (req, res, { id }) => toggle(res, id, false)],
  ];

  const PUBLIC = [
    ['GET', '/v1/status', (req, res) => sendJson(res, 200, { status: 'ok' })],
    ['GET', '/v1/versions', (req, res) => sendJson(res, 200, { api_version: service.version, node_version: nodeVersion() })],
    ['GET', '/v1/epochs/latest', (req, res) => sendJson(res, 200, latestEpoch(ctx.scenario().epoch, height()))],
    ['GET', '/v1/epochs/current/participants', (req, res) => currentParticipants(res)],
    [
      'GET',
      '/v1/participants/:address',
      (req, res, { address }) => {
        const p = readNetwork(stateDir).participants[address];
        return p ? sendJson(res, 200, { pubkey: p.pubkey, balance: p.balance }) : sendError(res, 404, `participant not found: ${address}`);
      },
    ],
    ['POST', '/v1/participants', async (req, res) => register(res, await readJsonBody(req))],
  ];

  const ML = [['POST', '/v1/poc-batches/:kind', (req, res) => sendJson(res, 200, {})]];

  const nodeVersion = () => Object.values(ctx.project.services).find((s) => s.kind === 'node')?.version ?? '';

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
      return net;
    });
    log(`INF registered participant ${address} url=${body.url}`);
    return sendJson(res, 200, { address, pubkey: body.pub_key });
  }

  function currentParticipants(res) {
    const scenario = ctx.scenario();
    const epoch = epochNow();
    // what the chain recorded at the end of PoC, even when the clock passed this epoch's start between two ticks
    publishEpochNodes(epoch);
    if (scenario.pocFailed) return sendError(res, 404, `active participants not found for epoch ${epoch}`);
    const participants = Object.entries(readNetwork(stateDir).participants)
      .filter(([, p]) => p.registeredEpoch < epoch && (p.epochNodes?.[epoch] ?? []).length > 0)
      .map(([address, p]) => participantEntry(address, p, p.epochNodes[epoch]));
    return sendJson(res, 200, {
      active_participants: {
        participants,
        epoch_group_id: epoch,
        epoch_id: epoch,
        poc_start_block_height: latestEpoch(scenario.epoch, height()).latest_epoch.poc_start_block_height,
      },
      block_height: height(),
    });
  }

  const participantEntry = (address, p, nodes) => ({
    index: address,
    validator_key: p.validator_key,
    weight: nodes.reduce((sum, n) => sum + n.poc_weight, 0),
    inference_url: p.url,
    models: [...new Set(nodes.flatMap((n) => n.models))],
    seed: null,
    ml_nodes: [
      { ml_nodes: nodes.map(({ node_id, throughput, poc_weight, timeslot_allocation }) => ({ node_id, throughput, poc_weight, timeslot_allocation })) },
    ],
  });

  // Publishes which of this participant's nodes take part in the epoch, as the chain records after PoC.
  function publishEpochNodes(epoch) {
    if (!ownAddress) return;
    const failed = ctx.scenario().failedNodes;
    const nodes = db.nodes
      .filter((r) => inEpoch(r, epoch) && !failed[r.node.id] && r.current_status !== 'FAILED')
      .map((r) => ({ node_id: r.node.id, throughput: 1000, poc_weight: 100, timeslot_allocation: [true, false], models: Object.keys(r.node.models ?? {}) }));
    updateNetwork(stateDir, (net) => {
      const p = net.participants[ownAddress];
      if (p) net.participants[ownAddress] = { ...p, epochNodes: { ...(p.epochNodes ?? {}), [epoch]: nodes } };
      return net;
    });
  }

  async function tick() {
    if (driving) return;
    driving = true;
    try {
      const e = latestEpoch(ctx.scenario().epoch, height());
      const failed = ctx.scenario().failedNodes;
      for (const rec of db.nodes.filter((r) => !failed[r.node.id])) {
        await driveNode(rec, { stateDir, epoch: e.latest_epoch.index, phase: e.phase, height: e.block_height, log });
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
