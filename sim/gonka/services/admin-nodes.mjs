// The decentralized-api's view of its ML nodes: admin state, epoch membership and the
// status it derives by driving each ML node's management API.
import { fetchJson } from '../http-util.mjs';
import { resolveAddress } from '../service-address.mjs';

const POC_PHASES = new Set(['PoCGenerate', 'PoCGenerateWindDown', 'PoCValidate', 'PoCValidateWindDown']);

export function newNodeRecord(entry, nodeNum, epoch) {
  return {
    node: { version: '', ...entry, node_num: nodeNum },
    admin_state: { enabled: true, epoch },
    joinedEpoch: epoch + 1,
    leavesAfterEpoch: null,
    current_status: 'UNKNOWN',
    failure_reason: '',
  };
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

export function nodeView(rec, epoch, phase, failure) {
  const intended = intendedStatus(rec, epoch, phase);
  const member = inEpoch(rec, epoch);
  return {
    node: rec.node,
    state: {
      intended_status: intended,
      current_status: failure ? 'FAILED' : rec.current_status,
      poc_current_status: pocStatus(intended, phase),
      poc_intended_status: pocStatus(intended, phase),
      failure_reason: failure ?? rec.failure_reason,
      admin_state: rec.admin_state,
      epoch_models: member ? Object.fromEntries(modelsOf(rec).map((m) => [m, { id: m, model_args: rec.node.models[m].args ?? [] }])) : {},
      epoch_ml_nodes: member
        ? Object.fromEntries(modelsOf(rec).map((m) => [m, { node_id: rec.node.id, poc_weight: 100, timeslot_allocation: [true, false] }]))
        : {},
    },
  };
}

const STATUS_OF_ML_STATE = { INFERENCE: 'INFERENCE', POW: 'POC', STOPPED: 'STOPPED', TRAIN: 'TRAINING' };

// the api's own requests to its ML nodes are not observations of the network
const INTERNAL = { internal: true };

// One reconciliation step: read the ML node's state and push it toward the intended one.
export async function driveNode(rec, { stateDir, epoch, phase, height, log }) {
  const target = resolveAddress(stateDir, rec.node.host, rec.node.poc_port);
  if (!target) return markFailed(rec, `failed to resolve ML node host ${rec.node.host}`);
  const base = `http://${target.host}:${target.port}/api/v1`;
  try {
    const { body } = await fetchJson(`${base}/state`, {}, INTERNAL);
    const intended = intendedStatus(rec, epoch, phase);
    const action = nextAction(intended, body.state, rec, height);
    if (action) {
      const res = await fetchJson(
        `${base}${action.path}`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(action.body),
        },
        INTERNAL,
      );
      if (res.status >= 400)
        return markFailed(rec, typeof res.body?.detail === 'string' ? res.body.detail : `ML node answered ${res.status} to ${action.path}`);
      log(`node ${rec.node.id}: ${action.path}`);
      const after = await fetchJson(`${base}/state`, {}, INTERNAL);
      rec.current_status = STATUS_OF_ML_STATE[after.body.state] ?? 'UNKNOWN';
    } else {
      rec.current_status = STATUS_OF_ML_STATE[body.state] ?? 'UNKNOWN';
    }
    rec.failure_reason = '';
  } catch (err) {
    markFailed(rec, `failed to reach ML node ${rec.node.host}:${rec.node.poc_port}: ${err.cause?.code ?? err.message}`);
  }
}

function markFailed(rec, reason) {
  rec.current_status = 'FAILED';
  rec.failure_reason = reason;
}

function nextAction(intended, mlState, rec, height) {
  if (intended === 'INFERENCE' && mlState !== 'INFERENCE') {
    const [model] = modelsOf(rec);
    return model ? { path: '/inference/up', body: { model, dtype: 'bfloat16', additional_args: rec.node.models[model].args ?? [] } } : undefined;
  }
  if (intended === 'POC' && mlState !== 'POW') {
    return {
      path: '/pow/init/generate',
      body: {
        node_id: rec.node.node_num,
        node_count: 1,
        block_hash: '',
        block_height: height,
        public_key: '',
        batch_size: 100,
        r_target: 1.4,
        fraud_threshold: 0.01,
        params: POC_PARAMS,
        url: 'http://api:9100',
      },
    };
  }
  if (intended === 'STOPPED' && mlState !== 'STOPPED') return { path: '/stop', body: {} };
  return undefined;
}

const POC_PARAMS = {
  dim: 1792,
  n_layers: 64,
  n_heads: 64,
  n_kv_heads: 64,
  vocab_size: 8196,
  ffn_dim_multiplier: 10.0,
  multiple_of: 8192,
  norm_eps: 1e-5,
  rope_theta: 10000.0,
  use_scaled_rope: false,
  seq_len: 256,
};
