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
