import { httpGet } from '../../lib/facts/builtin/http.js';
import { listeningSockets } from '../../lib/facts/builtin/listening-sockets.js';
import { request, type FactRequest } from '../../lib/facts/fact.js';
import { adminNodesRequest, localAdminUrl, parseAdminNodes } from '../../lib/gonka/admin-api.js';
import type { Deployment } from '../../lib/gonka/deployment.js';
import { sleep } from '../../lib/gonka/poll.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { portsBoundAsIntended } from './listening-ports.js';
import type { DeployVars } from './vars.js';
import { rpcStatusFact, syncReader } from './wait-sync.js';

const adminRequest = (d: Deployment) => adminNodesRequest(localAdminUrl(d.ports.admin));

/** What the health checks read: the node's sync state, the host's sockets, the admin API's ML nodes. */
export const healthRequests = (v: DeployVars): FactRequest[] => [
  ...(v.gonka.topology.network ? [rpcStatusFact(v)] : []),
  request(listeningSockets, undefined),
  ...(v.gonka.topology.full ? [request(httpGet, adminRequest(v.gonka))] : []),
];

const check = async (name: string, run: () => Promise<ModuleResult>): Promise<{ name: string } & ModuleResult> => ({ name, ...(await run()) });

// a node following the chain may report catching_up for the instant a new block arrives: a few samples decide
const synced = async (ctx: ModuleContext, v: DeployVars): Promise<ModuleResult> => {
  const read = syncReader(ctx, v);
  let last: Awaited<ReturnType<typeof read>>;
  for (let i = 0; i < 5; i++) {
    if (i > 0) await sleep(1);
    last = await read();
    if (last && !last.catchingUp) return { changed: false, msg: `synced at ${last.height}` };
  }
  if (!last) return { changed: false, failed: true, msg: `the node RPC (127.0.0.1:${v.gonka.ports.rpc}) does not answer` };
  return { changed: false, failed: true, msg: `still catching up at height ${last.height}` };
};

// this server's own ML nodes must be known to its api; an ML-only server adds its own (deploy), register all of node-config
const adminListsLocalNodes = async (ctx: ModuleContext, d: Deployment): Promise<ModuleResult> => {
  const answer = await ctx.facts.read(httpGet, adminRequest(d));
  const nodes = parseAdminNodes(answer.status, answer.json);
  if (!nodes) return { changed: false, failed: true, msg: `the admin API (127.0.0.1:${d.ports.admin}) does not answer` };
  const problems = d.node_config
    .filter((e) => e.host === 'inference')
    .flatMap((e) => {
      const n = nodes.find((x) => x.node.id === e.id);
      if (!n) return [`${e.id} is not in the admin API`];
      return n.node.models[e.model] ? [] : [`${e.id} serves ${Object.keys(n.node.models).join(', ') || 'no model'}, not ${e.model}`];
    });
  return problems.length ? { changed: false, failed: true, msg: problems.join('; ') } : { changed: false, msg: `admin API lists ${nodes.length} ML node(s)` };
};

/** After deploy: synced, ports bound as intended, this server's ML nodes in the admin API with their models. */
export const healthChecks = async (ctx: ModuleContext, v: DeployVars): Promise<ModuleResult> => {
  const d = v.gonka;
  const results = [
    ...(d.topology.network ? [await check('synced', () => synced(ctx, v))] : []),
    await check('ports', () => portsBoundAsIntended(ctx, d)),
    ...(d.topology.full ? [await check('ML nodes in the admin API', () => adminListsLocalNodes(ctx, d))] : []),
  ];
  const failed = results.filter((r) => r.failed);
  const summary = results.map((r) => `${r.name}: ${r.msg}`).join('; ');
  if (ctx.check && failed.length) return { changed: false, skipped: true, msg: `not deployed yet (check mode): ${summary}` };
  return { changed: false, ...(failed.length ? { failed: true } : {}), msg: summary, checks: results };
};
