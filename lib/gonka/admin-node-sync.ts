import type { ModuleContext, ModuleResult } from '../modules/module.js';
import type { AdminNode } from './admin-api.js';
import { adminUrl, listAdminNodes } from './admin-nodes-request.js';
import type { NodeConfigEntry } from './deployment.js';
import { hostRequest } from './host-request.js';

/** A node-config entry as the admin API takes it. */
export const adminBody = (e: NodeConfigEntry) => ({
  id: e.id,
  host: e.host,
  inference_port: e.inference_port,
  poc_port: e.poc_port,
  max_concurrent: e.max_concurrent,
  models: { [e.model]: { args: e.args } },
  hardware: e.hardware,
});

const sameNode = (n: AdminNode, e: NodeConfigEntry): boolean =>
  n.node.host === e.host &&
  n.node.inference_port === e.inference_port &&
  n.node.poc_port === e.poc_port &&
  Object.keys(n.node.models).join() === e.model &&
  JSON.stringify(n.node.models[e.model]?.args ?? []) === JSON.stringify(e.args);

type Action = { kind: 'add' | 'update' | 'enable'; entry: NodeConfigEntry };

export const plan = (nodes: AdminNode[], entries: NodeConfigEntry[]): Action[] =>
  entries.flatMap((entry): Action[] => {
    const n = nodes.find((x) => x.node.id === entry.id);
    if (!n) return [{ kind: 'add', entry }];
    const update: Action[] = sameNode(n, entry) ? [] : [{ kind: 'update', entry }];
    return n.state.admin_state?.enabled === false ? [...update, { kind: 'enable', entry }] : update;
  });

const expectOk = (what: string, status: number): void => {
  if (status < 200 || status >= 300) throw new Error(`${what} answered ${status}`);
};

// PUT updates in place from api v0.2.4; older apis answer 405 and take DELETE then POST
const update = async (ctx: ModuleContext, port: number, e: NodeConfigEntry): Promise<void> => {
  const put = await hostRequest(ctx, adminUrl(port, `/${e.id}`), { method: 'PUT', body: adminBody(e) });
  if (put.status === 200) return;
  if (put.status !== 405 && put.status !== 404) throw new Error(`PUT /admin/v1/nodes/${e.id} answered ${put.status}`);
  expectOk(`DELETE /admin/v1/nodes/${e.id}`, (await hostRequest(ctx, adminUrl(port, `/${e.id}`), { method: 'DELETE' })).status);
  expectOk('POST /admin/v1/nodes', (await hostRequest(ctx, adminUrl(port), { method: 'POST', body: adminBody(e) })).status);
};

const apply = async (ctx: ModuleContext, port: number, a: Action): Promise<void> => {
  if (a.kind === 'add') return expectOk('POST /admin/v1/nodes', (await hostRequest(ctx, adminUrl(port), { method: 'POST', body: adminBody(a.entry) })).status);
  if (a.kind === 'update') return update(ctx, port, a.entry);
  expectOk(`POST /admin/v1/nodes/${a.entry.id}/enable`, (await hostRequest(ctx, adminUrl(port, `/${a.entry.id}/enable`), { method: 'POST' })).status);
};

/**
 * ENTRIES in the admin API on this host (127.0.0.1:PORT), as configured and enabled: missing ones added,
 * changed ones updated, disabled ones enabled; nothing else touched.
 */
export const syncAdminNodes = async (ctx: ModuleContext, port: number, entries: NodeConfigEntry[]): Promise<ModuleResult> => {
  const nodes = await listAdminNodes(ctx, port);
  if (!nodes)
    return ctx.check
      ? { changed: true, msg: 'would add the ML nodes (the api is not running yet)' }
      : { changed: false, failed: true, msg: `the admin API (127.0.0.1:${port}) on ${ctx.hostname} does not answer` };
  const actions = plan(nodes, entries);
  const text = actions.map((a) => `${a.kind} ${a.entry.id}`).join(', ');
  if (actions.length === 0) return { changed: false, msg: `${entries.length} ML node(s) in the admin API on ${ctx.hostname}, enabled` };
  if (ctx.check) return { changed: true, msg: `would ${text}` };
  try {
    for (const a of actions) await apply(ctx, port, a);
  } catch (e) {
    return { changed: true, failed: true, msg: `admin API on ${ctx.hostname}: ${(e as Error).message}` };
  }
  const after = plan((await listAdminNodes(ctx, port)) ?? [], entries);
  if (after.length > 0)
    return {
      changed: true,
      failed: true,
      msg: `admin API on ${ctx.hostname} still differs after ${text}: ${after.map((a) => `${a.kind} ${a.entry.id}`).join(', ')}`,
    };
  return { changed: true, msg: `${text} on ${ctx.hostname}` };
};
