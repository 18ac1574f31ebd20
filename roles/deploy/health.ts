import type { Deployment } from '../../lib/gonka/deployment.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { listAdminNodes } from '../../lib/gonka/admin-nodes-request.js';
import { portsBoundAsIntended } from './listening-ports.js';
import { sleep } from '../../lib/gonka/poll.js';
import { readSyncStatus } from './sync-status.js';

const check = async (name: string, run: () => Promise<ModuleResult>): Promise<{ name: string } & ModuleResult> => ({ name, ...(await run()) });

// a node following the chain may report catching_up for the instant a new block arrives: a few samples decide
const synced = async (ctx: ModuleContext, d: Deployment): Promise<ModuleResult> => {
  let last: Awaited<ReturnType<typeof readSyncStatus>>;
  for (let i = 0; i < 5; i++) {
    if (i > 0) await sleep(1);
    last = await readSyncStatus(ctx, d.ports.rpc);
    if (last && !last.catchingUp) return { changed: false, msg: `synced at ${last.height}` };
  }
  if (!last) return { changed: false, failed: true, msg: `the node RPC (127.0.0.1:${d.ports.rpc}) does not answer` };
  return { changed: false, failed: true, msg: `still catching up at height ${last.height}` };
};

// this server's own ML nodes must be known to its api; an ML-only server adds its own (deploy), register all of node-config
const adminListsLocalNodes = async (ctx: ModuleContext, d: Deployment): Promise<ModuleResult> => {
  const nodes = await listAdminNodes(ctx, d.ports.admin);
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
export const healthChecks = async (ctx: ModuleContext, d: Deployment): Promise<ModuleResult> => {
  const results = [
    ...(d.topology.network ? [await check('synced', () => synced(ctx, d))] : []),
    await check('ports', () => portsBoundAsIntended(ctx, d)),
    ...(d.topology.full ? [await check('ML nodes in the admin API', () => adminListsLocalNodes(ctx, d))] : []),
  ];
  const failed = results.filter((r) => r.failed);
  const summary = results.map((r) => `${r.name}: ${r.msg}`).join('; ');
  if (ctx.check && failed.length) return { changed: false, skipped: true, msg: `not deployed yet (check mode): ${summary}` };
  return { changed: false, ...(failed.length ? { failed: true } : {}), msg: summary, checks: results };
};
