import type { ModuleContext } from '../../lib/modules/module.js';
import { hostRequest } from '../../lib/gonka/host-request.js';

/** What CometBFT's /status says about sync, read on the host from the node's RPC (bound to 127.0.0.1). */
export interface SyncStatus {
  height: number;
  /** latest_block_time in ms since the epoch */
  blockTime: number;
  catchingUp: boolean;
}

interface CometStatus {
  result?: { sync_info?: { latest_block_height?: string; latest_block_time?: string; catching_up?: boolean } };
}

export const rpcUrl = (rpcPort: number): string => `http://127.0.0.1:${rpcPort}/status`;

/** The node's sync state; undefined when its RPC does not answer (not started, or crash-looping). */
export const readSyncStatus = async (ctx: ModuleContext, rpcPort: number): Promise<SyncStatus | undefined> => {
  const res = await hostRequest(ctx, rpcUrl(rpcPort), { timeout: 5 });
  const info = (res.json as CometStatus | undefined)?.result?.sync_info;
  if (res.status !== 200 || !info?.latest_block_height) return undefined;
  return { height: Number(info.latest_block_height), blockTime: Date.parse(info.latest_block_time ?? ''), catchingUp: info.catching_up !== false };
};

export interface SyncEstimate {
  behind: number;
  etaSeconds: number | undefined;
}

/**
 * Blocks behind and time left from two samples, without knowing the chain's block time: the node's last block
 * is (now - blockTime) old, and between samples the node gained (height delta) blocks covering (block time
 * delta) of chain time, in (wall delta) of real time. ETA: the lag shrinks by (chain delta - wall delta) per wall delta.
 */
export const estimate = (prev: SyncStatus & { at: number }, cur: SyncStatus & { at: number }): SyncEstimate => {
  const lagMs = Math.max(0, cur.at - cur.blockTime);
  const chainMs = cur.blockTime - prev.blockTime;
  const wallMs = cur.at - prev.at;
  const blocks = cur.height - prev.height;
  const behind = blocks > 0 && chainMs > 0 ? Math.round((lagMs * blocks) / chainMs) : 0;
  const gain = chainMs - wallMs;
  return { behind, etaSeconds: gain > 0 ? Math.round((lagMs / gain) * (wallMs / 1000)) : undefined };
};

export const formatEta = (s: number | undefined): string => {
  if (s === undefined) return 'ETA unknown';
  if (s < 90) return `ETA ${s} s`;
  if (s < 5400) return `ETA ${Math.round(s / 60)} min`;
  return `ETA ${(s / 3600).toFixed(1)} h`;
};
