import { httpGet } from '../../lib/facts/builtin/http.js';
import { adminNodesRequest, parseAdminNodes, type AdminNode } from '../../lib/gonka/admin-api.js';
import { pollUntil, readFresh } from '../../lib/gonka/poll.js';
import { EpochsLatestSchema, safeWindowDecision } from '../../lib/gonka/safe-window.js';
import type { ModuleContext } from '../../lib/modules/module.js';
import type { UpdateVars } from './vars.js';

export interface SafeWindow {
  block: number;
  blocks_to_poc: number;
  /** in the last confirmation_poc_safety_window blocks before PoC, where the chain schedules no Confirmation PoC */
  preferred: boolean;
  /** why the update runs outside that window */
  note?: string;
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
  const parsed = EpochsLatestSchema.safeParse(res.json);
  if (!parsed.success) return { waiting: `/v1/epochs/latest: unexpected answer (${parsed.error.issues[0]?.message ?? 'not JSON'})` };
  const decision = safeWindowDecision(parsed.data, { marginBlocks: v.update_poc_margin_blocks, preferredWaitBlocks: v.update_preferred_wait_blocks });
  if (!decision.go) return { waiting: decision.waiting };
  const { go: _, ...window } = decision;
  const node = (await adminNodes(api, v))?.find((n) => n.node.id === nodeId);
  return { done: { ...window, timeslot_allocation: allocationOf(node) } };
};

/** Wait until updating the node cannot touch a PoC window; undefined when none came within update_window_timeout. */
export const waitSafeWindow = (api: ModuleContext, v: UpdateVars, nodeId: string): Promise<SafeWindow | undefined> =>
  pollUntil(api, { timeout: v.update_window_timeout, interval: v.update_poll_interval }, () => probeWindow(api, v, nodeId));

/** The window's caveat for a task's message: empty in the preferred window. */
export const windowCaveat = (w: SafeWindow): string => (w.note ? `; ${w.note}` : '');
