import { httpGet } from '../../lib/facts/builtin/http.js';
import { adminNodesRequest, parseAdminNodes, type AdminNode } from '../../lib/gonka/admin-api.js';
import { pollUntil, readFresh } from '../../lib/gonka/poll.js';
import type { ModuleContext } from '../../lib/modules/module.js';
import type { UpdateVars } from './vars.js';

interface EpochsLatest {
  block_height: number;
  phase: string;
  epoch_stages: { next_poc_start: number };
  /** a Confirmation PoC runs inside the Inference phase (reference edition 2, §5): no restart while it does */
  is_confirmation_poc_active?: boolean;
}

export interface SafeWindow {
  block: number;
  blocks_to_poc: number;
  /** per model: [PoC slot, inference slot] of this epoch, as the api reports it */
  timeslot_allocation: Record<string, boolean[]>;
}

/** The admin API's ML nodes as they are now; `api` is the network node's context (the admin API is reachable there only). */
export const adminNodes = async (api: ModuleContext, v: UpdateVars): Promise<AdminNode[] | undefined> => {
  const answer = await readFresh(api, httpGet, adminNodesRequest(v.gonka_admin_url));
  return parseAdminNodes(answer.status, answer.json);
};

const allocationOf = (node: AdminNode | undefined): Record<string, boolean[]> =>
  Object.fromEntries(Object.entries(node?.state.epoch_ml_nodes ?? {}).map(([model, n]) => [model, n.timeslot_allocation ?? []]));

const probeWindow = async (api: ModuleContext, v: UpdateVars, nodeId: string): Promise<{ done: SafeWindow } | { waiting: string }> => {
  const res = await readFresh(api, httpGet, { url: `${v.gonka_api_url.replace(/\/+$/, '')}/v1/epochs/latest` });
  if (res.status !== 200) return { waiting: `waiting for /v1/epochs/latest (${res.status === 0 ? 'no answer' : `status ${res.status}`})` };
  const e = res.json as EpochsLatest;
  // never inside a PoC generation or validation window: the node would lose its PoC weight for the epoch
  if (e.phase !== 'Inference') return { waiting: `block ${e.block_height}: ${e.phase}, waiting for the PoC window to close` };
  if (e.is_confirmation_poc_active === true) return { waiting: `block ${e.block_height}: a Confirmation PoC is active, waiting for it to end` };
  const toPoc = e.epoch_stages.next_poc_start - e.block_height;
  if (toPoc < v.update_poc_margin_blocks) return { waiting: `block ${e.block_height}: next PoC in ${toPoc} blocks, waiting for it to pass` };
  const node = (await adminNodes(api, v))?.find((n) => n.node.id === nodeId);
  return { done: { block: e.block_height, blocks_to_poc: toPoc, timeslot_allocation: allocationOf(node) } };
};

/** Wait until updating the node cannot touch a PoC window; undefined when none came within update_window_timeout. */
export const waitSafeWindow = (api: ModuleContext, v: UpdateVars, nodeId: string): Promise<SafeWindow | undefined> =>
  pollUntil(api, { timeout: v.update_window_timeout, interval: v.update_poll_interval }, () => probeWindow(api, v, nodeId));
