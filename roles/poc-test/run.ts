import { posix } from 'node:path';
import { httpGet } from '../../lib/facts/builtin/http.js';
import { composeScript, type ComposeProject } from '../../lib/gonka/compose-command.js';
import { CONFIG_ENV, MLNODE_COMPOSE, NETWORK_COMPOSE } from '../../lib/gonka/deploy-files.js';
import { API_CHAIN_NODE } from '../../lib/gonka/operator-account.js';
import { chainQuery } from '../../lib/facts/builtin/chain-query.js';
import { notDeployed } from '../../lib/gonka/deployed.js';
import { readFresh, sleep } from '../../lib/gonka/poll.js';
import { uriModule } from '../../lib/modules/builtin/uri.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import { mlnodeServices, planPocTest, progressOf, readPocLog, verdictOf, type EpochsLatest, type MlNodeState, type PocTestPlan } from './plan.js';
import type { PocTestVars } from './vars.js';

/** ML node i's nginx port is the base port + i */
const portPlus = (base: string, index: number, path: string): string => {
  const u = new URL(base);
  u.port = String(Number(u.port || 80) + index);
  u.pathname = path;
  return u.toString();
};

const project = (v: PocTestVars): ComposeProject => ({ dir: v.gonka_deploy_dir, files: [MLNODE_COMPOSE], env_file: CONFIG_ENV });

/** `docker inspect`'s State.Status of a container ('' when there is none): running, paused, exited… */
const containerStatus = async (ctx: ModuleContext, name: string): Promise<string> => {
  const res = await ctx.exec(`docker inspect -f '{{.State.Status}}' ${shellJoin([name])} 2>/dev/null`);
  return res.code === 0 ? res.stdout.trim() : '';
};

const getJson = async <T>(ctx: ModuleContext, url: string): Promise<T | undefined> => {
  const res = await readFresh(ctx, httpGet, { url, timeout: 10 });
  return res.status === 200 ? (res.json as T) : undefined;
};

// the model's PoC seq_len as the chain has it (reference §12: from poc_params.models[].seq_len), asked in the api
// container of its own node (a server's proxy keeps /chain-api/ closed)
const chainSeqLen = async (ctx: ModuleContext, v: PocTestVars, model: string | undefined): Promise<number | undefined> => {
  if (!model) return undefined;
  const answer = await ctx.facts.read(chainQuery, {
    inferenced: { project_dir: v.gonka_deploy_dir, files: [NETWORK_COMPOSE], env_file: CONFIG_ENV, service: v.poc_api_container },
    node: API_CHAIN_NODE,
    query: ['inference', 'params'],
    timeout: 60,
  });
  try {
    const params = JSON.parse(answer.output) as { params?: { poc_params?: { models?: { model_id: string; seq_len: string | number }[] } } };
    const found = params.params?.poc_params?.models?.find((m) => m.model_id === model);
    return found ? Number(found.seq_len) : undefined;
  } catch {
    return undefined;
  }
};

/** Read everything the test depends on and decide: the plan, or why not now. Reads only. */
export const planTask = async (ctx: ModuleContext, v: PocTestVars): Promise<ModuleResult> => {
  const missing = await notDeployed(ctx, v.gonka_deploy_dir);
  if (missing) return { changed: false, failed: true, msg: missing };
  const compose = await ctx.exec(`cat ${shellJoin([posix.join(v.gonka_deploy_dir, MLNODE_COMPOSE)])}`);
  const services = compose.code === 0 ? mlnodeServices(compose.stdout) : [];
  const service = services[v.poc_test_mlnode];
  if (!service)
    return {
      changed: false,
      failed: true,
      msg: `no ML node ${v.poc_test_mlnode} here: ${MLNODE_COMPOSE} lists ${services.length} (${services.join(', ') || 'none'})`,
    };
  const managementUrl = portPlus(v.mlnode_management_url, v.poc_test_mlnode, '/');
  const ml = await getJson<MlNodeState>(ctx, portPlus(v.mlnode_management_url, v.poc_test_mlnode, '/api/v1/state'));
  const verdict = planPocTest({
    api_status: await containerStatus(ctx, v.poc_api_container),
    epochs: await getJson<EpochsLatest>(ctx, `${v.gonka_api_url.replace(/\/+$/, '')}/v1/epochs/latest`),
    ml,
    chain_seq_len: v.poc_test_seq_len ? undefined : await chainSeqLen(ctx, v, ml?.loaded_model),
    seq_len: v.poc_test_seq_len,
    margin_blocks: v.poc_test_margin_blocks,
    batch_size: v.poc_test_batch_size,
    callback_url: v.poc_test_callback_url,
  });
  if ('refuse' in verdict) return { changed: false, failed: true, msg: `PoC test refused on ${service}: ${verdict.refuse}` };
  const plan: PocTestPlan = {
    service,
    management_url: managementUrl,
    inference_url: portPlus(v.mlnode_inference_url, v.poc_test_mlnode, '/'),
    model: verdict.model,
    request: verdict.request,
  };
  const report = [
    `${service} serves ${plan.model}; the api container '${v.poc_api_container}' is running`,
    `plan: docker pause ${v.poc_api_container} → POST /api/v1/inference/pow/init/generate ${JSON.stringify(plan.request)}`,
    `      → watch ${service}'s log for "Created N GPU groups" and "Using batch size: B for GPU group [i]" (up to ${v.poc_test_timeout} s)`,
    `      → POST /api/v1/inference/pow/stop, docker unpause ${v.poc_api_container}, wait until ${service} serves ${plan.model} again`,
  ];
  return { changed: false, msg: report[0], operator_report: report, ansible_facts: { poc_test_plan: plan } };
};

const post = (ctx: ModuleContext, url: string, body: unknown) =>
  ctx.call(uriModule, { url, method: 'POST', body, body_format: 'json', status_code: [200, 202, 400, 409, 422, 500, 502, 503], timeout: 60 });

const logLines = async (ctx: ModuleContext, v: PocTestVars, service: string): Promise<string[]> => {
  const res = await ctx.exec(composeScript(project(v), ['logs', '--no-color', '--no-log-prefix', service]));
  return res.code === 0 ? res.stdout.split('\n').filter(Boolean) : [];
};

type Outcome = { passed: boolean; why: string; evidence: string[] };

/** Start the generation and watch the log until a verdict, the timeout or Ctrl-C. */
const generate = async (ctx: ModuleContext, v: PocTestVars, plan: PocTestPlan, offset: number): Promise<Outcome> => {
  const started = await post(ctx, portPlus(plan.management_url, 0, '/api/v1/inference/pow/init/generate'), plan.request);
  if (started.status !== 200) {
    const detail = JSON.stringify((started.json as { detail?: unknown } | undefined)?.detail ?? started.msg);
    const none = started.status === 503 ? ' (no GPU group: no vLLM backend took the request)' : '';
    return { passed: false, why: `init/generate answered ${started.status}${none}: ${detail}`, evidence: [] };
  }
  const deadline = Date.now() + v.poc_test_timeout * 1000;
  for (;;) {
    const reading = readPocLog((await logLines(ctx, v, plan.service)).slice(offset));
    const verdict = verdictOf(reading);
    if (verdict) return { ...verdict, evidence: reading.evidence };
    if (ctx.interrupted()) return { passed: false, why: `interrupted (Ctrl-C) before a verdict: ${progressOf(reading)}`, evidence: reading.evidence };
    if (Date.now() >= deadline) return { passed: false, why: `no verdict within ${v.poc_test_timeout} s: ${progressOf(reading)}`, evidence: reading.evidence };
    ctx.progress(progressOf(reading));
    await sleep(v.poc_test_poll_interval);
  }
};

const serving = async (ctx: ModuleContext, plan: PocTestPlan): Promise<string | undefined> => {
  const ml = await getJson<MlNodeState>(ctx, portPlus(plan.management_url, 0, '/api/v1/state'));
  const health = await readFresh(ctx, httpGet, { url: portPlus(plan.inference_url, 0, '/health'), timeout: 10 });
  if (ml?.state === 'INFERENCE' && ml.loaded_model === plan.model && ml.poc_status === 'IDLE' && health.status === 200) return undefined;
  return `state ${ml?.state ?? 'no answer'}, model ${ml?.loaded_model ?? 'none'}, PoC ${ml?.poc_status ?? '?'}, inference /health ${health.status || 'no answer'}`;
};

/** Put back what the test changed, whatever happened: generation stopped, a wedged engine restarted, the api unpaused. */
const restore = async (ctx: ModuleContext, v: PocTestVars, plan: PocTestPlan, paused: boolean): Promise<{ done: string[]; problem?: string }> => {
  const done: string[] = [];
  const stop = await post(ctx, portPlus(plan.management_url, 0, '/api/v1/inference/pow/stop'), {});
  const stopErrors = (stop.json as { errors?: unknown[] } | undefined)?.errors ?? [];
  if (stop.status === 200 && stopErrors.length === 0) done.push('PoC generation stopped');
  else {
    // an engine wedged by an OOM answers nothing until its container restarts (docs poc_v2_test.md)
    const restarted = await ctx.exec(composeScript(project(v), ['restart', plan.service]));
    if (restarted.code !== 0) return { done, problem: `${plan.service} did not stop generating and its restart failed: ${restarted.stderr.trim()}` };
    done.push(`${plan.service} restarted (its engine did not stop: ${JSON.stringify(stopErrors)})`);
  }
  if (paused) {
    const unpaused = await ctx.exec(`docker unpause ${shellJoin([v.poc_api_container])}`);
    if (unpaused.code !== 0) return { done, problem: `docker unpause ${v.poc_api_container} failed: ${unpaused.stderr.trim()}` };
    done.push(`${v.poc_api_container} unpaused`);
  }
  // the api, running again, brings its ML node back to serving; the test is over when it does
  const deadline = Date.now() + v.poc_test_restore_timeout * 1000;
  for (;;) {
    const why = await serving(ctx, plan);
    if (!why) break;
    if (Date.now() >= deadline) return { done, problem: `${plan.service} does not serve ${plan.model} again within ${v.poc_test_restore_timeout} s: ${why}` };
    ctx.progress(`restoring: waiting for ${plan.service} to serve again (${why})`);
    await sleep(v.poc_test_poll_interval);
  }
  const api = await containerStatus(ctx, v.poc_api_container);
  if (api !== 'running') return { done, problem: `the api container is ${api || 'gone'} after the test` };
  done.push(`${plan.service} serves ${plan.model} again, PoC idle, the api running`);
  return { done };
};

/** The test itself: pause → generate → watch → restore (also after a failure or Ctrl-C). */
export const testTask = async (ctx: ModuleContext, v: PocTestVars): Promise<ModuleResult> => {
  const plan = v.poc_test_plan;
  if (!plan) return { changed: false, failed: true, msg: 'no plan: the plan task did not run' };
  if (ctx.check)
    return { changed: true, msg: `would pause ${v.poc_api_container}, run PoC v2 generation on ${plan.service} (${plan.model}), then put everything back` };
  const offset = (await logLines(ctx, v, plan.service)).length;
  let paused = false;
  let outcome: Outcome = { passed: false, why: 'the test did not start', evidence: [] };
  try {
    const pause = await ctx.exec(`docker pause ${shellJoin([v.poc_api_container])}`);
    if (pause.code !== 0) outcome = { passed: false, why: `docker pause ${v.poc_api_container} failed: ${pause.stderr.trim()}`, evidence: [] };
    else {
      paused = true;
      outcome = await generate(ctx, v, plan, offset);
    }
  } catch (e) {
    outcome = { passed: false, why: e instanceof Error ? e.message : String(e), evidence: [] };
  }
  // whatever happened above (a failure, Ctrl-C, an exception), the host is put back
  const restored = await restore(ctx, v, plan, paused).catch((e: unknown) => ({
    done: [] as string[],
    problem: e instanceof Error ? e.message : String(e),
  }));
  const verdict = `PoC test ${outcome.passed ? 'PASSED' : 'FAILED'}: ${outcome.why}`;
  const restoredLine = `restored: ${restored.done.join('; ') || 'nothing'}`;
  const problem = restored.problem ? [`NOT RESTORED: ${restored.problem}`] : [];
  return {
    changed: true,
    failed: !outcome.passed || restored.problem !== undefined,
    passed: outcome.passed,
    msg: [verdict, ...problem].join('; '),
    operator_report: [...outcome.evidence, verdict, restoredLine, ...problem],
  };
};
