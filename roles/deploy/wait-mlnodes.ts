import { httpGet, type HttpGet } from '../../lib/facts/builtin/http.js';
import { request, type FactRef, type FactRequest } from '../../lib/facts/fact.js';
import { adminNodesRequest, localAdminUrl, parseAdminNodes } from '../../lib/gonka/admin-api.js';
import type { Deployment, MlNodeService } from '../../lib/gonka/deployment.js';
import { MLNODE_COMPOSE } from '../../lib/gonka/deploy-files.js';
import { mlProject } from '../../lib/gonka/deployment-project.js';
import { lastLines } from '../../lib/gonka/last-lines.js';
import { projectOf } from '../../lib/gonka/modules/project-args.js';
import { pollUntil } from '../../lib/gonka/poll.js';
import { serviceLogs } from '../../lib/gonka/service-logs.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import type { DeployVars } from './vars.js';

interface MlNodeProbe {
  service: string;
  state: string | undefined;
  health: number;
}

const stateRequest = (d: Deployment, m: MlNodeService): HttpGet => ({ url: `http://${d.bind.ml_facing}:${m.host_poc_port}/api/v1/state`, timeout: 5 });
const healthRequest = (d: Deployment, m: MlNodeService): HttpGet => ({ url: `http://${d.bind.ml_facing}:${m.host_inference_port}/health`, timeout: 5 });
const adminRequest = (d: Deployment): HttpGet => adminNodesRequest(localAdminUrl(d.ports.admin));

/** What the wait reads: each ML node's state and inference health, and on a full server the admin API's view of them. */
export const mlNodeRequests = (d: Deployment): FactRequest[] =>
  [...d.mlnodes.flatMap((m) => [stateRequest(d, m), healthRequest(d, m)]), ...(d.topology.full ? [adminRequest(d)] : [])].map((r) => request(httpGet, r));

const probe = async (ctx: ModuleContext, d: Deployment, m: MlNodeService): Promise<MlNodeProbe> => {
  const state = await ctx.facts.read(httpGet, stateRequest(d, m));
  const health = await ctx.facts.read(httpGet, healthRequest(d, m));
  const s = (state.json as { state?: unknown } | undefined)?.state;
  return { service: m.service, state: state.status === 200 && typeof s === 'string' ? s : undefined, health: health.status };
};

const ready = (p: MlNodeProbe): boolean => p.state !== undefined && p.health === 200;

const describe = (p: MlNodeProbe): string =>
  `${p.service}: ${p.state === undefined ? 'not answering' : p.state}, /health ${p.health === 0 ? 'no answer' : p.health}`;

/** This server's own ML nodes, as the admin API names them (a full server: the entries reached through nginx). */
const localNodeIds = (d: Deployment): Map<string, string> =>
  new Map(d.node_config.filter((e) => e.host === 'inference').map((e, i) => [e.id, d.mlnodes[i]?.service ?? e.id]));

// polls in a row a node must be FAILED while its container answers: the api also reports FAILED for a
// moment while an ML node container is still starting, and retries on its own
const FAILED_POLLS = 3;

// on a full server the api drives the ML nodes: a node it keeps marking FAILED will not load, so say why early
const failedInAdmin = async (ctx: ModuleContext, d: Deployment, answering: Set<string>, streak: Map<string, number>): Promise<string | undefined> => {
  if (!d.topology.full) return undefined;
  const ids = localNodeIds(d);
  const answer = await ctx.facts.read(httpGet, adminRequest(d));
  const nodes = parseAdminNodes(answer.status, answer.json) ?? [];
  for (const n of nodes.filter((x) => ids.has(x.node.id))) {
    const bad = n.state.current_status === 'FAILED' && answering.has(ids.get(n.node.id)!);
    streak.set(n.node.id, bad ? (streak.get(n.node.id) ?? 0) + 1 : 0);
  }
  const failed = nodes.find((n) => (streak.get(n.node.id) ?? 0) >= FAILED_POLLS);
  if (!failed) return undefined;
  const service = ids.get(failed.node.id)!;
  const logs = lastLines(await serviceLogs(ctx, projectOf(mlProject(d)), service, 50), 5);
  return `ML node ${failed.node.id} (${service}) failed to load: ${failed.state.failure_reason || 'no reason given'}${logs ? `\n${logs}` : ''}`;
};

type Outcome = { ok: string } | { failed: string } | { skipped: string };

/**
 * Wait until every ML node answers /api/v1/state and its inference /health (503 while vLLM loads the model),
 * with a progress line per poll; model_load_timeout bounds the wait.
 */
export const waitForMlNodes = async (ctx: ModuleContext, v: DeployVars): Promise<ModuleResult> => {
  const d = v.gonka;
  const start = Date.now();
  const streak = new Map<string, number>();
  let waiting: MlNodeProbe[] = [];
  const refresh: FactRef[] = mlNodeRequests(d).map(({ fact, arg }) => ({ fact, arg }));
  const outcome = await pollUntil<Outcome>(ctx, { timeout: v.model_load_timeout, interval: v.model_poll_seconds, refresh }, async () => {
    const probes = await Promise.all(d.mlnodes.map((m) => probe(ctx, d, m)));
    waiting = probes.filter((p) => !ready(p));
    if (waiting.length === 0) return { done: { ok: `${probes.length} ML node(s) serving: ${probes.map(describe).join('; ')}` } };
    if (ctx.check && probes.every((p) => p.state === undefined)) return { done: { skipped: 'the ML nodes are not running yet (check mode)' } };
    const failure = await failedInAdmin(ctx, d, new Set(probes.filter((p) => p.state !== undefined).map((p) => p.service)), streak);
    if (failure) return { done: { failed: failure } };
    return { waiting: `loading model (${Math.round((Date.now() - start) / 1000)} s): ${waiting.map(describe).join('; ')}` };
  });
  if (outcome && 'ok' in outcome) return { changed: false, msg: outcome.ok };
  if (outcome && 'skipped' in outcome) return { changed: false, skipped: true, msg: outcome.skipped };
  if (outcome) return { changed: false, failed: true, msg: outcome.failed };
  const hint = d.topology.full ? '' : "; the network node's api starts the model: check that it is running and lists these ML nodes";
  return {
    changed: false,
    failed: true,
    msg: `ML nodes not serving within model_load_timeout (${v.model_load_timeout} s): ${waiting.map(describe).join('; ')}${hint}; see docker compose -f ${MLNODE_COMPOSE} logs`,
  };
};
