import { z } from 'zod';
import { httpGet } from '../../facts/builtin/http.js';
import { request } from '../../facts/fact.js';
import { boolArg } from '../../modules/arg-types.js';
import { hostHttp } from '../../modules/host-http.js';
import { defineModule, type Change, type ModuleContext, type Plan } from '../../modules/module.js';
import { wouldMsg } from './would-msg.js';
import {
  AdminNodeEntrySchema,
  adminNodesRequest,
  adminNodesUrl,
  DEFAULT_ADMIN_URL,
  parseAdminNodes,
  sameNode,
  type AdminNode,
  type AdminNodeEntry,
} from '../admin-api.js';

// a node named by its id only is enabled or disabled (or removed) as it is registered, never added or updated
const NodeIdSchema = z.strictObject({ id: z.string().min(1) });
type Entry = AdminNodeEntry | z.output<typeof NodeIdSchema>;
const isFull = (e: Entry): e is AdminNodeEntry => 'host' in e;

const adminNodeArgs = z.strictObject({
  admin_url: z.url({ protocol: /^https?$/ }).default(DEFAULT_ADMIN_URL),
  /** the admin API's node objects (node-config.json's), or `{ id }` to enable or disable a node as it is */
  nodes: z.array(z.union([AdminNodeEntrySchema, NodeIdSchema])).min(1),
  /** present: added or updated to match; absent: removed */
  state: z.enum(['present', 'absent']).default('present'),
  /** with state=present: enabled (the default) or disabled */
  enabled: boolArg.default(true),
});

type Args = z.output<typeof adminNodeArgs>;
type Kind = 'add' | 'update' | 'enable' | 'disable' | 'remove';

interface AdminChange extends Change {
  kind: Kind;
  entry: Entry;
}

const listRequest = (a: Args) => adminNodesRequest(a.admin_url);

type Action = { kind: Kind; entry: Entry };

const actions = (nodes: AdminNode[], a: Args): Action[] =>
  a.nodes.flatMap((entry): Action[] => {
    const n = nodes.find((x) => x.node.id === entry.id);
    if (a.state === 'absent') return n ? [{ kind: 'remove', entry }] : [];
    if (!n) return isFull(entry) ? [{ kind: 'add', entry }, ...(a.enabled ? [] : [{ kind: 'disable' as const, entry }])] : [];
    const update: Action[] = !isFull(entry) || sameNode(n, entry) ? [] : [{ kind: 'update', entry }];
    const enabled = n.state.admin_state?.enabled !== false;
    return enabled === a.enabled ? update : [...update, { kind: a.enabled ? 'enable' : 'disable', entry }];
  });

const expectOk = (what: string, status: number): void => {
  if (status < 200 || status >= 300) throw new Error(`${what} answered ${status === 0 ? 'nothing' : status}`);
};

// PUT upserts in place since api v0.2.4; an api that answers 405 takes DELETE then POST
const send = async (ctx: ModuleContext, a: Args, c: AdminChange): Promise<void> => {
  const http = (method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown) => hostHttp(ctx.exec, { method, url: adminNodesUrl(a.admin_url, path), body });
  const id = `/${encodeURIComponent(c.entry.id)}`;
  if (c.kind === 'add') return expectOk('POST /admin/v1/nodes', (await http('POST', '', c.entry)).status);
  if (c.kind === 'remove') return expectOk(`DELETE /admin/v1/nodes${id}`, (await http('DELETE', id)).status);
  if (c.kind === 'enable' || c.kind === 'disable') return expectOk(`POST /admin/v1/nodes${id}/${c.kind}`, (await http('POST', `${id}/${c.kind}`)).status);
  const put = await http('PUT', id, c.entry);
  if (put.status >= 200 && put.status < 300) return;
  if (put.status !== 405) throw new Error(`PUT /admin/v1/nodes${id} answered ${put.status === 0 ? 'nothing' : put.status}`);
  expectOk(`DELETE /admin/v1/nodes${id}`, (await http('DELETE', id)).status);
  expectOk('POST /admin/v1/nodes', (await http('POST', '', c.entry)).status);
  // a node added again starts enabled
  if (!a.enabled) expectOk(`POST /admin/v1/nodes${id}/disable`, (await http('POST', `${id}/disable`)).status);
};

const listNodes = async (ctx: ModuleContext, a: Args): Promise<AdminNode[] | undefined> => {
  const res = await ctx.facts.read(httpGet, listRequest(a));
  return parseAdminNodes(res.status, res.json);
};

/**
 * ML nodes in the network node's admin API as wanted (added, updated, enabled or disabled, removed), verified by
 * listing them again. Runs on the network node: the admin API is bound to its loopback.
 */
export const gonkaAdminNodeModule = defineModule({
  name: 'gonka_admin_node',
  args: adminNodeArgs,
  facts: (a) => [request(httpGet, listRequest(a))],
  plan: async (a, ctx): Promise<Plan<AdminChange>> => {
    const nodes = await listNodes(ctx, a);
    const ids = a.nodes.map((n) => n.id).join(', ');
    if (!nodes) {
      if (!ctx.check) return { changes: [], failed: `the admin API (${a.admin_url}) on ${ctx.hostname} does not answer` };
      // what a run would do once the api answers: add what it names in full, toggle what it names by id
      const guess = (e: Entry): Action[] =>
        isFull(e) ? actions([], { ...a, nodes: [e] }) : [{ kind: a.state === 'absent' ? 'remove' : a.enabled ? 'enable' : 'disable', entry: e }];
      const changes = a.nodes.flatMap(guess).map((x) => ({ ...x, summary: `${x.kind} ${x.entry.id}` }));
      return { changes, result: { msg: `${wouldMsg(changes)} (the api is not running yet)` } };
    }
    const unknown = a.state === 'present' ? a.nodes.filter((e) => !isFull(e) && !nodes.some((n) => n.node.id === e.id)) : [];
    if (unknown.length) return { changes: [], failed: `${unknown.map((e) => e.id).join(', ')} not in the admin API on ${ctx.hostname}` };
    const todo = actions(nodes, a);
    if (todo.length === 0)
      return { changes: [], result: { msg: `${ids} ${a.state === 'absent' ? 'absent' : `in the admin API, ${a.enabled ? 'enabled' : 'disabled'}`}` } };
    const changes = todo.map((x) => ({ ...x, summary: `${x.kind} ${x.entry.id}`, invalidates: [{ fact: httpGet, arg: listRequest(a) }] }));
    return { changes, result: { msg: wouldMsg(changes) } };
  },
  apply: async (changes, a, ctx) => {
    const done = changes.map((c) => c.summary).join(', ');
    try {
      for (const c of changes) await send(ctx, a, c);
    } catch (e) {
      return { failed: true, msg: `admin API on ${ctx.hostname}: ${(e as Error).message}` };
    }
    ctx.facts.invalidate([{ fact: httpGet, arg: listRequest(a) }]);
    const left = actions((await listNodes(ctx, a)) ?? [], a);
    if (left.length)
      return { failed: true, msg: `admin API on ${ctx.hostname} still differs after ${done}: ${left.map((x) => `${x.kind} ${x.entry.id}`).join(', ')}` };
    return { msg: `${done} on ${ctx.hostname}` };
  },
});
