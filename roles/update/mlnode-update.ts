import { httpGet } from '../../lib/facts/builtin/http.js';
import { adminNodesRequest } from '../../lib/gonka/admin-api.js';
import { gonkaAdminNodeModule } from '../../lib/gonka/modules/admin-node.js';
import { pollUntil, readFresh } from '../../lib/gonka/poll.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import type { MlNodeChange } from './plan.js';
import { adminNodes, waitSafeWindow, windowCaveat } from './safe-window.js';
import { switchImage } from './switch-image.js';
import type { UpdateVars } from './vars.js';

// an ML-only server publishes its ML node ports on its private address only
const mlnodeBase = (v: UpdateVars, given: string | undefined, port: number): string =>
  given ?? `http://${v.network_node && v.network_node !== v.inventory_hostname && v.private_ip ? v.private_ip : '127.0.0.1'}:${port}`;

/** the nginx port of ML node `index` is the base port + index */
const portPlus = (base: string, index: number, path: string): string => {
  const u = new URL(base);
  u.port = String(Number(u.port || 80) + index);
  u.pathname = path;
  return u.toString();
};

type LoadOutcome = { loaded: true } | { loaded: false; reason: string };

// failFast: a FAILED from the api ends the wait. Not after a rollback: the api still shows the failed attempt
// until its next look at the node, and the previous image deserves the whole load timeout.
export const probeLoad = async (
  ctx: ModuleContext,
  api: ModuleContext,
  v: UpdateVars,
  c: MlNodeChange,
  failFast: boolean,
): Promise<{ done: LoadOutcome } | { waiting: string }> => {
  const node = failFast ? (await adminNodes(api, v))?.find((n) => n.node.id === c.node_id) : undefined;
  if (node?.state.current_status === 'FAILED') return { done: { loaded: false, reason: `the api reports ${c.node_id} FAILED: ${node.state.failure_reason}` } };
  const state = await readFresh(ctx, httpGet, { url: portPlus(mlnodeBase(v, v.mlnode_management_url, 8080), c.index, '/api/v1/state'), timeout: 10 });
  const mlState = (state.json as { state?: string } | undefined)?.state ?? (state.status === 0 ? 'not answering' : `unreachable (${state.status})`);
  if (mlState !== 'INFERENCE') return { waiting: `${c.service}: ML node state ${mlState}, waiting for the model to load` };
  const health = await readFresh(ctx, httpGet, { url: portPlus(mlnodeBase(v, v.mlnode_inference_url, 5050), c.index, '/health'), timeout: 10 });
  if (health.status === 200) return { done: { loaded: true } };
  return { waiting: `${c.service}: loading the model (inference /health ${health.status === 0 ? 'no answer' : health.status})` };
};

export const waitLoaded = async (ctx: ModuleContext, api: ModuleContext, v: UpdateVars, c: MlNodeChange, failFast: boolean): Promise<LoadOutcome> =>
  (await pollUntil(ctx, { timeout: v.update_load_timeout, interval: v.update_poll_interval }, () => probeLoad(ctx, api, v, c, failFast))) ?? {
    loaded: false,
    reason: `the model did not load within ${v.update_load_timeout} s`,
  };

// the admin API's enable / disable, as the gonka_admin_node module does it (verified, nothing sent when already so)
export const setEnabled = async (api: ModuleContext, v: UpdateVars, nodeId: string, enabled: boolean): Promise<string | undefined> => {
  api.facts.invalidate([{ fact: httpGet, arg: adminNodesRequest(v.gonka_admin_url) }]);
  const res = await api.call(gonkaAdminNodeModule, { admin_url: v.gonka_admin_url, nodes: [{ id: nodeId }], enabled });
  return res.failed ? `${enabled ? 'enable' : 'disable'} ${nodeId}: ${res.msg}` : undefined;
};

/** Failure after the switch: the previous image goes back, and the node is enabled again once it serves. */
const rollBack = async (ctx: ModuleContext, api: ModuleContext, v: UpdateVars, c: MlNodeChange, why: string): Promise<ModuleResult> => {
  ctx.progress(`${c.service}: ${why}; putting ${c.from} back`);
  const back = await switchImage(ctx, v.gonka_deploy_dir, c, c.from);
  const reloaded = back ? { loaded: false as const, reason: back } : await waitLoaded(ctx, api, v, c, false);
  const enabled = reloaded.loaded ? await setEnabled(api, v, c.node_id, true) : `not re-enabled: ${reloaded.reason}`;
  const after = enabled ? `rollback incomplete: ${enabled}` : `rolled back to ${c.from}, ${c.node_id} enabled again`;
  return { changed: true, failed: true, rolled_back: true, msg: `${c.service} update to ${c.to} failed (${why}); ${after}. The rollout stops here.` };
};

/**
 * The six-step safe update of one ML node: safe window → disable → pull → recreate → model loaded → enable.
 * `ctx` is the ML host (compose, ML node API); `api` its network node (admin API, epochs).
 */
export const updateMlNode = async (ctx: ModuleContext, api: ModuleContext, v: UpdateVars, c: MlNodeChange): Promise<ModuleResult> => {
  const window = await waitSafeWindow(api, v, c.node_id);
  if (!window)
    return {
      changed: false,
      failed: true,
      msg: `${c.service}: no safe window (Inference phase, no Confirmation PoC, ${v.update_poc_margin_blocks} blocks before the next PoC) within ${v.update_window_timeout} s`,
    };
  const disabled = await setEnabled(api, v, c.node_id, false);
  if (disabled) return { changed: false, failed: true, msg: disabled };
  const switched = await switchImage(ctx, v.gonka_deploy_dir, c, c.to);
  if (switched) return rollBack(ctx, api, v, c, switched);
  const load = await waitLoaded(ctx, api, v, c, true);
  if (!load.loaded) return rollBack(ctx, api, v, c, load.reason);
  const enabled = await setEnabled(api, v, c.node_id, true);
  if (enabled) return { changed: true, failed: true, msg: `${c.service} runs ${c.to} but ${enabled}` };
  return { changed: true, msg: `${c.service} (${c.node_id}): ${c.from} → ${c.to}, model loaded, enabled${windowCaveat(window)}`, window };
};
