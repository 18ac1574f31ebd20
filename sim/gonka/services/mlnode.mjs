// The ML node (reference §2.4): FastAPI on :8080 (state, inference up/down, PoC v2 under /api/v1/inference/pow/,
// legacy PoC v1, model cache, GPUs), vLLM's OpenAI server and health on :5000, both reached through the nginx
// "inference" service. What the image can run follows gpu-and-models.md: CUDA-13 tags need a driver that reports
// CUDA 13 (≥ 580), GLM-5.3-Flash needs 3.1.0-vllm-0.28.0, DeepSeek 3.0.16, MiniMax ≥ 3.0.14; the tensor-parallel
// layout must divide the GPUs and hold the weights.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { hostPathOf, imageTag } from '../compose-project.mjs';
import { readJsonBody, sendJson, sendText, sendBadGateway } from '../http-util.mjs';
import { containerPaused } from '../container-paused.mjs';
import { startGeneration } from '../poc-generation.mjs';

const HOST_STATE = '/var/lib/nop-sim/state.json';

// the host's GPUs and driver, when the ML node runs on a simulated host (the GPUs `count: all` hands it)
function hostGpus() {
  try {
    const state = JSON.parse(fs.readFileSync(HOST_STATE, 'utf8'));
    const pkg = Object.keys(state.packages ?? {}).find((n) => /^nvidia-driver-\d+/.test(n) && state.packages[n].status === 'ii');
    const driver = pkg ? state.packages[pkg].version.replace(/^\d+:/, '').replace(/-[^-]*$/, '') : null;
    return { gpus: state.profile.gpus, driver };
  } catch {
    return undefined;
  }
}

const versionOf = (tag) => (/^(\d+)\.(\d+)\.(\d+)/.exec(tag) ?? []).slice(1).map(Number);
const atLeast = (tag, [a, b, c]) => {
  const [x, y, z] = versionOf(tag);
  return x > a || (x === a && (y > b || (y === b && z >= c)));
};

// CUDA of an ML node image: the -cu129 tags and the 3.0.14 line are 12.9, 3.0.16 and 3.1.0 are CUDA 13
const cudaOf = (tag) => (/-cu129$/.test(tag) || !atLeast(tag, [3, 0, 16]) ? 12.9 : 13);
const VLLM = { '3.0.16': '0.25.1', '3.1.0': '0.28.0' };

// what each PoC model needs of the image, and its weights (GB) where the reference gives them
const MODEL_NEEDS = {
  'MiniMaxAI/MiniMax-M2.7': { image: (tag) => atLeast(tag, [3, 0, 14]), needs: '3.0.14 or newer', weightsGb: 230 },
  'deepseek-ai/DeepSeek-V4-Flash-0731': { image: (tag) => atLeast(tag, [3, 0, 16]) && !tag.startsWith('3.1.'), needs: '3.0.16' },
  'zai-org/GLM-5.3-Flash': { image: (tag) => tag.startsWith('3.1.0-vllm-0.28.0'), needs: '3.1.0-vllm-0.28.0', weightsGb: 328 },
};

const argValue = (args, name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};

/** Why vLLM would not start `model` with `args` on this image and host, or undefined. */
function loadError(tag, model, args, host) {
  if (host?.driver && cudaOf(tag) >= 13 && Number.parseInt(host.driver, 10) < 580)
    return `CUDA driver version is insufficient for CUDA runtime version (image ${tag} is built on CUDA 13; driver ${host.driver} supports CUDA 12)`;
  const needs = MODEL_NEEDS[model];
  if (needs && !needs.image(tag)) return `model ${model} is not supported by this ML node image (${tag}): it needs ${needs.needs}`;
  if (!host || host.gpus.length === 0) return undefined;
  const tp = Number(argValue(args, '--tensor-parallel-size', '1')) * Number(argValue(args, '--pipeline-parallel-size', '1'));
  if (tp > host.gpus.length) return `tensor parallel size ${tp} is greater than the ${host.gpus.length} GPU(s) visible`;
  const perGpu = Math.min(...host.gpus.map((g) => Math.round(g.memory_mib / 1024)));
  const util = Number(argValue(args, '--gpu-memory-utilization', '0.9'));
  if (needs?.weightsGb && needs.weightsGb > tp * perGpu * util)
    return `CUDA out of memory: ${model} needs about ${needs.weightsGb} GB of weights, ${tp} × ${perGpu} GB × ${util} is ${Math.floor(tp * perGpu * util)} GB`;
  return undefined;
}

// With HF_HUB_OFFLINE the weights must already be in the mounted cache, as vLLM cannot fetch them.
const cacheDirOf = (service, repo) => {
  const cache = hostPathOf(service, '/root/.cache');
  return cache && path.join(cache, 'hub', `models--${repo.replaceAll('/', '--')}`);
};

function missingWeights(service, model) {
  if (!/^(1|true)$/i.test(service.environment.HF_HUB_OFFLINE ?? '')) return false;
  const dir = cacheDirOf(service, model);
  return !dir || !fs.existsSync(dir);
}

export function startMlnode({ service, log, scenario, now }) {
  const tag = imageTag(service.image);
  const host = hostGpus();
  let state = 'STOPPED';
  let model;
  let args = [];
  let loadDoneAt = 0;
  let powV1 = 'IDLE';
  let poc = 'IDLE';
  let pocStartedAt = 0;
  // the PoC generation run whose log lines are still coming (poc-generation.mjs)
  let generation;
  const downloads = new Map();
  log('INFO:     Uvicorn running on http://0.0.0.0:8080 (Press CTRL+C to quit)');

  const loaded = () => state === 'INFERENCE' && now() >= loadDoneAt;
  const instances = () => {
    const tp = Number(argValue(args, '--tensor-parallel-size', '1')) * Number(argValue(args, '--pipeline-parallel-size', '1'));
    return host && host.gpus.length > 0 ? Math.min(128, Math.floor(host.gpus.length / tp)) : 1;
  };
  // a wedged engine (after an OOM) still reports running but its backends answer nothing
  const backends = () =>
    loaded() ? Array.from({ length: instances() }, (_, i) => ({ port: 5001 + i, status: generation?.wedged ? 'ERROR' : poc === 'IDLE' ? 'IDLE' : poc })) : [];
  // the GPUs of each vLLM instance, as PoC sees them: one GPU group per instance
  const gpuGroups = () => {
    const tp = Math.max(1, Math.floor((host?.gpus.length ?? 1) / instances()));
    return Array.from({ length: instances() }, (_, i) => {
      const devices = Array.from({ length: tp }, (_, d) => i * tp + d);
      const vramGb = devices.reduce((sum, d) => sum + (host?.gpus[d]?.memory_mib ?? 81_920) / 1024, 0) * 0.99;
      return { devices, vramGb };
    });
  };

  function startInference(body) {
    if (!body?.model) return [422, { detail: [{ loc: ['body', 'model'], msg: 'field required', type: 'value_error.missing' }] }];
    if (state === 'INFERENCE') return [409, { detail: 'inference is already running or starting' }];
    if (state === 'POW') return [409, { detail: 'PoW is running: stop it first' }];
    const why = (scenario().brokenImages ?? []).includes(service.image)
      ? `CUDA error: no kernel image is available for execution on the device (image ${service.image})`
      : loadError(tag, body.model, body.additional_args ?? [], host);
    if (why) {
      log(`ERROR: vLLM engine failed to start for ${body.model}: ${why}`);
      return [500, { detail: `vLLM engine failed to start for ${body.model}: ${why}` }];
    }
    if (missingWeights(service, body.model)) {
      log(`ERROR: Cannot find the requested files in the local cache for ${body.model} (HF_HUB_OFFLINE=1)`);
      return [500, { detail: `model ${body.model} is not in the local Hugging Face cache and HF_HUB_OFFLINE is set` }];
    }
    state = 'INFERENCE';
    model = body.model;
    args = body.additional_args ?? [];
    loadDoneAt = now() + scenario().modelLoadSeconds * 1000;
    log(`INFO: Starting vLLM for ${model} with args ${JSON.stringify(args)}`);
    return [200, { status: 'OK' }];
  }

  const stopAll = () => {
    generation = undefined;
    state = 'STOPPED';
    poc = 'IDLE';
    powV1 = 'IDLE';
    return [200, { status: 'OK' }];
  };

  // PoC v2 runs inside the vLLM instances: it needs them up and healthy
  function pocV2(next) {
    const live = backends();
    if (live.length === 0) return [503, { status: 'NO_BACKENDS', backends: 0, n_groups: 0, results: [], errors: ['no healthy vLLM backend'] }];
    poc = next;
    pocStartedAt = now();
    return [200, { status: 'OK', backends: live.length, n_groups: live.length, results: live.map((b) => ({ port: b.port, status: 'OK' })), errors: [] }];
  }

  function download(body) {
    if (!body?.hf_repo) return [422, { detail: [{ loc: ['body', 'hf_repo'], msg: 'field required' }] }];
    downloads.set(body.hf_repo, { commit: body.hf_commit ?? 'main', doneAt: now() + (scenario().modelDownloadSeconds ?? 2) * 1000 });
    return [202, { status: 'DOWNLOADING', hf_repo: body.hf_repo }];
  }

  // a finished download lands in the cache as the Hugging Face client lays it out
  function downloadStatus(repo) {
    const d = downloads.get(repo);
    const dir = cacheDirOf(service, repo);
    if (d && now() >= d.doneAt && dir) {
      const rev = crypto.createHash('sha1').update(`${repo}@${d.commit}`).digest('hex');
      fs.mkdirSync(path.join(dir, 'snapshots', rev), { recursive: true });
      fs.mkdirSync(path.join(dir, 'refs'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'refs', 'main'), rev);
      fs.writeFileSync(path.join(dir, 'snapshots', rev, 'config.json'), JSON.stringify({ _name_or_path: repo }));
      downloads.delete(repo);
    }
    if (downloads.has(repo)) return 'DOWNLOADING';
    return dir && fs.existsSync(path.join(dir, 'refs', 'main')) ? 'DOWNLOADED' : dir && fs.existsSync(dir) ? 'PARTIAL' : 'NOT_FOUND';
  }

  const stateBody = () => ({
    version: tag,
    state,
    ...(state === 'INFERENCE' ? { poc_status: loaded() ? poc : 'NO_BACKENDS', inference_healthy: loaded(), loaded_model: model } : {}),
    poc_validation_inference: true,
  });

  const ROUTES = {
    'GET /health': () => [200, { status: 'healthy' }],
    'GET /livez': () => [200, { status: 'alive' }],
    'GET /readyz': () => (state === 'STOPPED' || loaded() ? [200, { status: 'ready' }] : [503, { status: 'not ready' }]),
    'GET /api/v1/state': () => [200, stateBody()],
    'GET /api/v1/versions': () => [200, { version: tag, vllm_version: VLLM[versionOf(tag).join('.')] ?? '', poc_validation_inference: true }],
    'POST /api/v1/stop': stopAll,
    'POST /api/v1/inference/up': startInference,
    'POST /api/v1/inference/up/async': (body) => {
      const [status, answer] = startInference(body);
      return status === 200 ? [200, { status: 'starting' }] : [status, answer];
    },
    'GET /api/v1/inference/up/status': () => [
      200,
      {
        status: loaded() ? 'running' : state === 'INFERENCE' ? 'starting' : 'stopped',
        is_starting: state === 'INFERENCE' && !loaded(),
        is_running: loaded(),
        ...(state === 'INFERENCE' ? { elapsed_seconds: Math.floor((now() - (loadDoneAt - scenario().modelLoadSeconds * 1000)) / 1000) } : {}),
      },
    ],
    'POST /api/v1/inference/down': () => {
      generation = undefined;
      state = 'STOPPED';
      poc = 'IDLE';
      return [200, { status: 'OK' }];
    },
    'POST /api/v1/inference/pow/init/generate': (body) => {
      if (!body?.params?.model) return [422, { detail: [{ loc: ['body', 'params', 'model'], msg: 'field required' }] }];
      if (generation?.wedged) return [502, { detail: { errors: backends().map((b) => ({ port: b.port, error: 'timed out' })) } }];
      const settings = scenario().pocGeneration ?? {};
      if (settings.failure === 'no-gpu-group') {
        log(`ERROR: Created 0 GPU groups: no GPU has the free memory PoC needs for ${body.params.model}`);
        return [503, { detail: 'No vLLM backends available' }];
      }
      log(`INFO: PoC v2 generation for ${body.params.model} (seq_len ${body.params.seq_len}) from block ${body.block_height}`);
      const answer = pocV2('GENERATING');
      if (answer[0] === 200)
        generation = startGeneration({
          groups: gpuGroups(),
          batchSize: body.batch_size ?? 32,
          url: body.url,
          startedAt: now(),
          settings,
          apiPaused: () => containerPaused(new URL(body.url ?? 'http://api').hostname),
        });
      return answer;
    },
    'POST /api/v1/inference/pow/generate': (body) => {
      const [status, answer] = pocV2(body?.validation ? 'VALIDATING' : 'GENERATING');
      return status === 200 ? [200, { status: 'queued', id: `${answer.results[0].port}:${crypto.randomUUID()}` }] : [status, answer];
    },
    'GET /api/v1/inference/pow/status': () => [
      200,
      { status: !loaded() ? 'NO_BACKENDS' : generation?.wedged ? 'MIXED' : poc, backends: backends().map((b) => ({ ...b, started_at: pocStartedAt })) },
    ],
    'POST /api/v1/inference/pow/stop': () => {
      const live = backends();
      if (generation?.wedged) return [200, { status: 'OK', results: [], errors: live.map((b) => ({ port: b.port, error: 'timed out' })) }];
      generation = undefined;
      poc = 'IDLE';
      return [200, { status: 'OK', results: live.map((b) => ({ port: b.port, status: 'OK' })), errors: [] }];
    },
    // legacy PoC v1: a separate PoW service, only while inference is stopped
    'POST /api/v1/pow/init/generate': (body) => {
      if (!body?.node_id && body?.node_id !== 0) return [422, { detail: [{ loc: ['body', 'node_id'], msg: 'field required' }] }];
      if (state === 'INFERENCE') return [409, { detail: 'inference is running: stop it first' }];
      state = 'POW';
      powV1 = 'GENERATING';
      log(`INFO: PoC v1 generation started at block ${body.block_height}`);
      return [200, { status: 'OK', pow_status: { status: powV1 } }];
    },
    'GET /api/v1/pow/status': () => [
      200,
      { status: state === 'POW' ? powV1 : state === 'STOPPED' ? 'STOPPED' : 'NOT_LOADED', is_model_initialized: state === 'POW' },
    ],
    'POST /api/v1/pow/stop': () => {
      if (state === 'POW') state = 'STOPPED';
      powV1 = 'IDLE';
      return [200, { status: 'OK' }];
    },
    'POST /api/v1/models/download': download,
    'POST /api/v1/models/status': (body) =>
      body?.hf_repo ? [200, { hf_repo: body.hf_repo, status: downloadStatus(body.hf_repo) }] : [422, { detail: 'hf_repo is required' }],
    'GET /api/v1/models/space': () => [200, { cache_size_gb: 0, available_gb: 0, cache_path: '/root/.cache' }],
    'GET /api/v1/gpu/devices': () => [
      200,
      { devices: (host?.gpus ?? []).map((g, index) => ({ index, name: g.name, total_memory_mb: g.memory_mib, compute_capability: g.compute_cap })) },
    ],
    'GET /api/v1/gpu/driver': () => [
      200,
      { driver_version: host?.driver ?? null, cuda_driver_version: host?.driver && Number.parseInt(host.driver, 10) >= 580 ? '13.0' : '12.8' },
    ],
  };

  async function management(req, res) {
    const route = ROUTES[`${req.method} ${new URL(req.url, 'http://mlnode').pathname}`];
    if (!route) return sendJson(res, 404, { detail: 'Not Found' });
    const [status, body] = route(await readJsonBody(req).catch(() => undefined));
    return sendJson(res, status, body);
  }

  // vLLM's compatibility server on :5000 exists only while a backend is healthy
  function inference(req, res) {
    const { pathname } = new URL(req.url, 'http://mlnode');
    if (!loaded()) return pathname === '/health' ? sendText(res, 503, '') : sendBadGateway(res);
    if (pathname === '/health') return sendText(res, generation?.wedged ? 503 : 200, '');
    if (pathname === '/v1/models') return sendJson(res, 200, { object: 'list', data: [{ id: model, object: 'model', owned_by: 'vllm' }] });
    return sendJson(res, 404, { detail: 'Not Found' });
  }

  // the generation's log lines as simulated time reaches them
  const advance = (t) => generation?.advance(t).forEach((l) => log(l));

  return { handlers: { 8080: management, 5000: inference }, management, inference, advance, state: () => 'running', close() {} };
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
