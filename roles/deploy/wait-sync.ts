import { httpGet } from '../../lib/facts/builtin/http.js';
import { request, type FactRequest } from '../../lib/facts/fact.js';
import { localRpcUrl, rpcStatusRequest, syncStatusOf, type SyncStatus } from '../../lib/gonka/chain-status.js';
import { sleep } from '../../lib/gonka/poll.js';
import { blocksBehind } from '../../lib/gonka/sync-lag.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { formatDuration, formatEta } from '../../lib/progress/format.js';
import { slopeMeter } from '../../lib/progress/slope.js';
import { diagnoseStuckSync } from './sync-diagnosis.js';
import type { DeployVars } from './vars.js';

type Sample = SyncStatus & { at: number };

/** The node's RPC /status, read on the network node. */
export const rpcStatusFact = (v: DeployVars): FactRequest => request(httpGet, rpcStatusRequest(localRpcUrl(v.gonka.ports.rpc)));

/** The node's sync state: the first read from the play's batch, each later one from the node again. */
export const syncReader = (ctx: ModuleContext, v: DeployVars) => {
  const req = rpcStatusRequest(localRpcUrl(v.gonka.ports.rpc));
  let reads = 0;
  return async (): Promise<SyncStatus | undefined> => {
    if (reads++ > 0) ctx.facts.invalidate([{ fact: httpGet, arg: req }]);
    return syncStatusOf(await ctx.facts.read(httpGet, req));
  };
};

/**
 * Wait until the node has caught up with the network, with a live line (height, blocks behind, ETA). A height
 * that does not move for sync_stuck_seconds is diagnosed from the node's log at once; sync_timeout bounds it all.
 */
export const waitForSync = async (ctx: ModuleContext, v: DeployVars): Promise<ModuleResult> => {
  const rpc = v.gonka.ports.rpc;
  const read = syncReader(ctx, v);
  const first = await read();
  if (first && !first.catchingUp) return { changed: false, msg: `synced at height ${first.height}`, height: first.height };
  if (ctx.check && !first) return { changed: false, skipped: true, msg: 'the node is not running yet (check mode)' };
  const start = Date.now();
  let prev: Sample | undefined = first && { ...first, at: Date.now() };
  let moved = { height: first?.height, at: Date.now() };
  // the ETA is the rate at which the gap closes, observed over the last polls
  const gap = slopeMeter();
  for (;;) {
    await sleep(v.sync_poll_seconds);
    const now = Date.now();
    const s = await read();
    if (s && !s.catchingUp) return { changed: false, msg: `synced at height ${s.height} in ${Math.round((now - start) / 1000)} s`, height: s.height };
    if (s && s.height !== moved.height) moved = { height: s.height, at: now };
    const stuckFor = Math.round((now - moved.at) / 1000);
    if (stuckFor >= v.sync_stuck_seconds)
      return { changed: false, failed: true, msg: await diagnoseStuckSync(ctx, v.gonka, s?.height ?? moved.height, stuckFor), height: s?.height };
    if (now - start >= v.sync_timeout * 1000) {
      return {
        changed: false,
        failed: true,
        msg: `chain sync did not finish within sync_timeout (${v.sync_timeout} s): height ${s?.height ?? 'unknown'}, still catching up; raise sync_timeout or check the node (docker compose logs node)`,
      };
    }
    if (!s) {
      ctx.progress(`waiting for the node RPC on 127.0.0.1:${rpc} (${stuckFor} s)`);
      continue;
    }
    const cur: Sample = { ...s, at: now };
    const behind = prev ? blocksBehind(prev, cur) : undefined;
    prev = cur;
    if (behind === undefined) {
      ctx.progress(`height ${s.height}, not moving for ${formatDuration(stuckFor)}`);
      continue;
    }
    gap.add(now, behind);
    const heading = gap.heading(0);
    const speed = heading.kind === 'arriving' ? `, catching up ${Math.round(-heading.perSecond)} blocks/s` : '';
    ctx.progress(`height ${s.height}, ${behind} blocks behind${speed}, ${formatEta(heading, 'not catching up')}`);
  }
};
