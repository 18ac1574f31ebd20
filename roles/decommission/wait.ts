import { httpGet } from '../../lib/facts/builtin/http.js';
import { isParticipantsList, scheduledNodes, waitVerdict } from '../../lib/gonka/decommission.js';
import { readFresh, sleep } from '../../lib/gonka/poll.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { epochOf, epochRequest, mlProject, networkProject, participantsRequest, runningServicesOf } from './plan.js';
import type { DecommissionVars } from './vars.js';

/**
 * Wait, with a progress line, until the epoch's participants no longer hold this participant's ML nodes (a disabled
 * node serves to the end of its epoch, a preserved one an epoch more: reference gonka-operations.md §3, §11). Bounded
 * by the chain, not the clock: past decommission_wait_epochs epochs, the stop is refused naming the nodes.
 */
export const waitForNodesOut = async (ctx: ModuleContext, v: DecommissionVars): Promise<ModuleResult> => {
  const plan = v.decommission_plan;
  if (!plan) return { changed: false, failed: true, msg: 'no decommission plan: the plan task did not run' };
  if (ctx.check)
    return { changed: false, msg: `would wait until epoch ${plan.start_epoch}'s successors no longer list ${plan.node_ids.join(', ') || 'any ML node'}` };
  for (;;) {
    const now = epochOf((await readFresh(ctx, httpGet, epochRequest(v))).json);
    const answer = await readFresh(ctx, httpGet, participantsRequest(v));
    if (!now) return { changed: false, failed: true, msg: `the public API (${epochRequest(v).url}) stopped answering with the epoch` };
    // no list (PoC failed, an epoch without participants yet): nothing says the nodes left, so the wait goes on
    const scheduled = isParticipantsList(answer.json) ? scheduledNodes(answer.json, plan.address, plan.node_ids) : plan.node_ids;
    const verdict = waitVerdict({ ...now, startEpoch: plan.start_epoch, scheduled, waitEpochs: v.decommission_wait_epochs });
    if ('done' in verdict) return { changed: false, msg: verdict.done, operator_report: [verdict.done], ansible_facts: { decommission_ml_out: true } };
    if ('refused' in verdict) return { changed: false, failed: true, msg: verdict.refused };
    ctx.progress(verdict.waiting);
    await sleep(v.decommission_poll_seconds);
  }
};

/** An ML server stops only once its network node's ML nodes are out of the epoch (set by the retire stage). */
export const networkNodeDone = (v: DecommissionVars): ModuleResult => {
  const nn = v.network_node ?? v.inventory_hostname;
  const out = nn === v.inventory_hostname ? v.decommission_ml_out : v.hostvars?.[nn]?.decommission_ml_out === true;
  if (out) return { changed: false, msg: `${nn}'s ML nodes are out of the epoch's participants` };
  return {
    changed: false,
    failed: true,
    msg: `refused to stop: ${nn} has not retired its ML nodes in this run (its retire play did not finish); nothing was stopped here`,
  };
};

const projectOf = (v: DecommissionVars) => (v.decommission_stage === 'stop_network' ? networkProject(v) : mlProject(v));
const what = (v: DecommissionVars) => (v.decommission_stage === 'stop_network' ? 'network node service' : 'ML server');

const runningIn = (ctx: ModuleContext, v: DecommissionVars): Promise<string[]> => runningServicesOf(ctx, projectOf(v), true);

/** The services of this stage's compose project (the ML servers, or the network node) that run on this host. */
export const runningServices = async (ctx: ModuleContext, v: DecommissionVars): Promise<ModuleResult> => {
  const running = await runningIn(ctx, v);
  return {
    changed: false,
    msg: running.length ? `running: ${running.join(', ')}` : `no ${what(v)} runs here`,
    ansible_facts: { decommission_running: running },
  };
};

/** Verified on the host: none of the stage's services runs any more. */
export const verifyStopped = async (ctx: ModuleContext, v: DecommissionVars): Promise<ModuleResult> => {
  const running = await runningIn(ctx, v);
  if (running.length) return { changed: false, failed: true, msg: `still running after the stop: ${running.join(', ')}` };
  const msg = `no ${what(v)} runs on ${ctx.hostname} (stopped: ${v.decommission_running.join(', ') || 'none was running'}; files kept)`;
  return { changed: false, msg, operator_report: [msg] };
};
