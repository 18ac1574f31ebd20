// The decentralized-api's view of its ML nodes: admin state, epoch membership, the checks an entry must pass, and
// the status it derives by driving each ML node's management API (PoC v2 runs inside vLLM: the ML node stays in
// INFERENCE and reports poc_status, while the api reports the node as POC).
import { fetchJson } from '../http-util.mjs';
import { resolveAddress } from '../service-address.mjs';
import { isGovernanceModel, isPocModel } from '../chain-params.mjs';

const POC_PHASES = new Set(['PoCGenerate', 'PoCGenerateWindDown', 'PoCValidate', 'PoCValidateWindDown']);

export function newNodeRecord(entry, nodeNum, epoch, now) {
  return {
    node: { inference_segment: '', poc_segment: '', hardware: [], ...entry, node_num: nodeNum },
    admin_state: { enabled: true, epoch },
    joinedEpoch: epoch + 1,
    leavesAfterEpoch: null,
    current_status: 'UNKNOWN',
    failure_reason: '',
    ml_node_version: '',
    poc_validation_inference: false,
    status_timestamp: new Date(now).toISOString(),
  };
}

const port = (v) => Number.isInteger(v) && v >= 1 && v <= 65535;

/** Why the api refuses a node entry (apiconfig validation and the governance check), or undefined. */
export function entryError(entry, chain) {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return 'invalid node: expected a JSON object';
  if (typeof entry.id !== 'string' || entry.id === '') return 'node id is required';
  if (typeof entry.host !== 'string' || entry.host === '') return `node ${entry.id}: host is required`;
  if (!port(entry.inference_port)) return `node ${entry.id}: inference_port must be between 1 and 65535`;
  if (!port(entry.poc_port)) return `node ${entry.id}: poc_port must be between 1 and 65535`;
  if (!(Number.isInteger(entry.max_concurrent) && entry.max_concurrent > 0)) return `node ${entry.id}: max_concurrent must be greater than 0`;
  const models = Object.keys(entry.models ?? {});
  if (models.length === 0) return `node ${entry.id}: at least one model is required`;
  const invalid = models.find((m) => !isGovernanceModel(chain, m));
  if (invalid) return `node ${entry.id}: model ${invalid} is not a valid governance model`;
  return undefined;
}

export const inEpoch = (rec, epoch) =>
  rec.joinedEpoch <= epoch && (rec.admin_state.enabled || (rec.leavesAfterEpoch !== null && epoch <= rec.leavesAfterEpoch));

export function setEnabled(rec, enabled, epoch) {
  if (rec.admin_state.enabled === enabled) return;
  const member = inEpoch(rec, epoch);
  rec.admin_state = { enabled, epoch };
  // Disabled in epoch E it keeps serving until E ends; enabled, it joins from the next epoch.
  if (enabled) {
    rec.joinedEpoch = member ? rec.joinedEpoch : epoch + 1;
    rec.leavesAfterEpoch = null;
  } else {
    rec.leavesAfterEpoch = member ? epoch : epoch - 1;
  }
}

export function intendedStatus(rec, epoch, phase) {
  if (!rec.admin_state.enabled && !inEpoch(rec, epoch)) return 'STOPPED';
  if (POC_PHASES.has(phase) && rec.admin_state.enabled) return 'POC';
  return 'INFERENCE';
}

const pocStatus = (intended, phase) => (intended !== 'POC' ? 'IDLE' : phase.startsWith('PoCGenerate') ? 'GENERATING' : 'VALIDATING');

const modelsOf = (rec) => Object.keys(rec.node.models ?? {});

/** The model a node runs PoC for: its first PoC model in the chain's order (none: it cannot take part in PoC). */
export const pocModelOf = (rec, chain) => chain.pocModels.map((m) => m.model_id).find((m) => modelsOf(rec).includes(m));

export function nodeView(rec, epoch, phase, failure, chain) {
  const intended = intendedStatus(rec, epoch, phase);
  const member = inEpoch(rec, epoch) && pocModelOf(rec, chain) !== undefined;
  const epochModels = member ? modelsOf(rec).filter((m) => isPocModel(chain, m)) : [];
  return {
    node: rec.node,
    state: {
      intended_status: intended,
      current_status: failure ? 'FAILED' : rec.current_status,
      poc_intended_status: pocStatus(intended, phase),
      poc_current_status: rec.current_status === 'POC' ? pocStatus(intended, phase) : 'IDLE',
      lock_count: 0,
      failure_reason: failure ?? rec.failure_reason,
      status_timestamp: rec.status_timestamp,
      admin_state: rec.admin_state,
      ml_node_version: rec.ml_node_version,
      poc_validation_inference: rec.poc_validation_inference,
      epoch_models: Object.fromEntries(epochModels.map((m) => [m, { id: m, model_args: rec.node.models[m].args ?? [] }])),
      epoch_ml_nodes: Object.fromEntries(epochModels.map((m) => [m, { node_id: rec.node.id, poc_weight: 100, timeslot_allocation: [true, false] }])),
      preserved_models: {},
    },
  };
}

// the api's own requests to its ML nodes are not observations of the network
const INTERNAL = { internal: true };

const post = (url, body) => fetchJson(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, INTERNAL);

function setStatus(rec, status, now) {
  if (rec.current_status !== status) rec.status_timestamp = new Date(now).toISOString();
  rec.current_status = status;
}

/** One reconciliation step: read the ML node's state and push it toward the intended one. */
export async function driveNode(rec, { stateDir, epoch, phase, height, chain, now, log }) {
  const target = resolveAddress(stateDir, rec.node.host, rec.node.poc_port);
  if (!target) return markFailed(rec, `failed to resolve ML node host ${rec.node.host}`, now);
  const base = `http://${target.host}:${target.port}/api/v1`;
  try {
    const { body } = await fetchJson(`${base}/state`, {}, INTERNAL);
    rec.ml_node_version = body.version ?? '';
    rec.poc_validation_inference = body.poc_validation_inference ?? false;
    const action = nextAction(rec, body, { intended: intendedStatus(rec, epoch, phase), phase, height, chain });
    let state = body;
    if (action) {
      const res = await post(`${base}${action.path}`, action.body);
      if (res.status >= 400)
        return markFailed(rec, typeof res.body?.detail === 'string' ? res.body.detail : `ML node answered ${res.status} to ${action.path}`, now);
      log(`node ${rec.node.id}: ${action.path}`);
      state = (await fetchJson(`${base}/state`, {}, INTERNAL)).body;
    }
    setStatus(rec, statusOf(state), now);
    rec.failure_reason = '';
  } catch (err) {
    markFailed(rec, `failed to reach ML node ${rec.node.host}:${rec.node.poc_port}: ${err.cause?.code ?? err.message}`, now);
  }
}

// what the api reports: PoC v2 generating or validating inside vLLM is POC
function statusOf(state) {
  if (state.state === 'INFERENCE' && ['GENERATING', 'VALIDATING', 'MIXED'].includes(state.poc_status)) return 'POC';
  return { INFERENCE: 'INFERENCE', POW: 'POC', STOPPED: 'STOPPED', TRAIN: 'TRAINING' }[state.state] ?? 'UNKNOWN';
}

function markFailed(rec, reason, now) {
  setStatus(rec, 'FAILED', now);
  rec.failure_reason = reason;
}

function inferenceUp(rec, chain) {
  const model = pocModelOf(rec, chain) ?? modelsOf(rec)[0];
  return model ? { path: '/inference/up', body: { model, dtype: 'bfloat16', additional_args: rec.node.models[model].args ?? [] } } : undefined;
}

function nextAction(rec, state, { intended, phase, height, chain }) {
  const pocRunning = ['GENERATING', 'VALIDATING', 'MIXED'].includes(state.poc_status);
  if (intended === 'STOPPED') return state.state !== 'STOPPED' ? { path: '/stop', body: {} } : undefined;
  if (state.state !== 'INFERENCE') return inferenceUp(rec, chain);
  if (intended === 'INFERENCE') return pocRunning ? { path: '/inference/pow/stop', body: {} } : undefined;
  const model = chain.pocModels.find((m) => m.model_id === pocModelOf(rec, chain));
  if (!model) return undefined;
  if (phase.startsWith('PoCGenerate') && !pocRunning) return { path: '/inference/pow/init/generate', body: initGenerate(rec, model, height) };
  if (phase.startsWith('PoCValidate') && state.poc_status !== 'VALIDATING') return { path: '/inference/pow/generate', body: validate(rec, model, height) };
  return undefined;
}

const initGenerate = (rec, model, height) => ({
  block_hash: '',
  block_height: height,
  public_key: '',
  node_id: rec.node.node_num,
  node_count: 1,
  batch_size: 32,
  params: { model: model.model_id, seq_len: model.seq_len, k_dim: 12 },
  url: 'http://api:9100',
  poc_stronger_rng: false,
});

const validate = (rec, model, height) => ({
  ...initGenerate(rec, model, height),
  nonces: [],
  wait: false,
  validation: { artifacts: [] },
  stat_test: { dist_threshold: 0.4, p_mismatch: 0.1, fraud_threshold: 0.05 },
});
