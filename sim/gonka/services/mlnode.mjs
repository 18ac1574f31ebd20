// The ML node (FastAPI on :8080, vLLM on :5000), reached through the nginx "inference" service.
import fs from 'node:fs';
import path from 'node:path';
import { hostPathOf } from '../compose-project.mjs';
import { readJsonBody, sendJson, sendText, sendBadGateway } from '../http-util.mjs';

// With HF_HUB_OFFLINE the weights must already be in the mounted cache, as vLLM cannot fetch them.
function missingWeights(service, model) {
  if (!/^(1|true)$/i.test(service.environment.HF_HUB_OFFLINE ?? '')) return false;
  const cache = hostPathOf(service, '/root/.cache');
  if (!cache) return true;
  return !fs.existsSync(path.join(cache, 'hub', `models--${model.replaceAll('/', '--')}`));
}

export function startMlnode({ service, log, scenario, now }) {
  let state = 'STOPPED';
  let model;
  let loadDoneAt = 0;
  let powStatus = 'IDLE';
  log('INFO:     Uvicorn running on http://0.0.0.0:8080 (Press CTRL+C to quit)');

  const loaded = () => state === 'INFERENCE' && now() >= loadDoneAt;

  const ROUTES = {
    'GET /api/v1/state': () => [200, { state }],
    'POST /api/v1/stop': () => {
      state = 'STOPPED';
      powStatus = 'STOPPED';
      return [200, { status: 'OK' }];
    },
    'POST /api/v1/inference/up': (body) => {
      if (!body?.model) return [422, { detail: [{ loc: ['body', 'model'], msg: 'field required', type: 'value_error.missing' }] }];
      if (missingWeights(service, body.model)) {
        log(`ERROR: Cannot find the requested files in the local cache for ${body.model} (HF_HUB_OFFLINE=1)`);
        return [500, { detail: `model ${body.model} is not in the local Hugging Face cache and HF_HUB_OFFLINE is set` }];
      }
      // scenario.brokenImages: images whose vLLM cannot load the model (a bad image update)
      if ((scenario().brokenImages ?? []).includes(service.image)) {
        log(`ERROR: vLLM engine failed to start for ${body.model}: CUDA error: no kernel image is available for execution on the device`);
        return [500, { detail: `vLLM engine failed to start for ${body.model} (image ${service.image})` }];
      }
      state = 'INFERENCE';
      model = body.model;
      loadDoneAt = now() + scenario().modelLoadSeconds * 1000;
      log(`INFO: Starting vLLM for ${model} with args ${JSON.stringify(body.additional_args ?? [])}`);
      return [200, { status: 'OK' }];
    },
    'POST /api/v1/inference/down': () => {
      state = 'STOPPED';
      return [200, { status: 'OK' }];
    },
    'POST /api/v1/pow/init/generate': (body) => {
      if (!body?.node_id && body?.node_id !== 0) return [422, { detail: [{ loc: ['body', 'node_id'], msg: 'field required' }] }];
      state = 'POW';
      powStatus = 'GENERATING';
      log(`INFO: PoC generation started at block ${body.block_height}`);
      return [200, { status: 'OK', pow_status: { status: powStatus } }];
    },
    'GET /api/v1/pow/status': () => [
      200,
      { status: state === 'POW' ? powStatus : state === 'STOPPED' ? 'STOPPED' : 'NOT_LOADED', is_model_initialized: state === 'POW' },
    ],
  };

  async function management(req, res) {
    const route = ROUTES[`${req.method} ${new URL(req.url, 'http://mlnode').pathname}`];
    if (!route) return sendJson(res, 404, { detail: 'Not Found' });
    const [status, body] = route(await readJsonBody(req).catch(() => undefined));
    return sendJson(res, status, body);
  }

  function inference(req, res) {
    const { pathname } = new URL(req.url, 'http://mlnode');
    if (!loaded()) return pathname === '/health' ? sendText(res, 503, '') : sendBadGateway(res);
    if (pathname === '/health') return sendText(res, 200, '');
    if (pathname === '/v1/models') return sendJson(res, 200, { object: 'list', data: [{ id: model, object: 'model', owned_by: 'vllm' }] });
    return sendJson(res, 404, { detail: 'Not Found' });
  }

  return { handlers: { 8080: management, 5000: inference }, management, inference, state: () => 'running', close() {} };
}

// nginx in front of the ML nodes: container ports 8080+i and 5000+i forward to the i-th mlnode service of the
// project (by service name, as the rendered nginx.conf orders its upstreams).
const MAX_NODES = 8;
export function startInferenceProxy({ running }) {
  const mlnode = (i) =>
    [...running.values()].filter((r) => r.config.kind === 'mlnode').sort((a, b) => a.config.name.localeCompare(b.config.name, 'en', { numeric: true }))[i]
      ?.instance;
  const forward = (i, name) => (req, res) => {
    const target = mlnode(i);
    return target ? target[name](req, res) : sendBadGateway(res);
  };
  const handlers = {};
  for (let i = 0; i < MAX_NODES; i++) {
    handlers[8080 + i] = forward(i, 'management');
    handlers[5000 + i] = forward(i, 'inference');
  }
  return { handlers, state: () => 'running', close() {} };
}
