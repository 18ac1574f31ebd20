import type { HttpAnswer, HttpGet } from '../facts/builtin/http.js';

/** What CometBFT's /status says about sync. */
export interface SyncStatus {
  height: number;
  /** latest_block_time in ms since the epoch */
  blockTime: number;
  catchingUp: boolean;
}

/** The node's RPC status, read on the host (the RPC is bound to 127.0.0.1). */
export const rpcStatusRequest = (rpcUrl: string): HttpGet => ({ url: `${rpcUrl.replace(/\/+$/, '')}/status`, timeout: 5 });

/** The node's RPC on the network node's loopback. */
export const localRpcUrl = (rpcPort: number): string => `http://127.0.0.1:${rpcPort}`;

interface CometStatus {
  result?: { sync_info?: { latest_block_height?: string; latest_block_time?: string; catching_up?: boolean } };
}

/** The sync state in an answer to /status; undefined when the RPC did not answer (not started, or crash-looping). */
export const syncStatusOf = (answer: HttpAnswer): SyncStatus | undefined => {
  const info = (answer.json as CometStatus | undefined)?.result?.sync_info;
  if (answer.status !== 200 || !info?.latest_block_height) return undefined;
  return { height: Number(info.latest_block_height), blockTime: Date.parse(info.latest_block_time ?? ''), catchingUp: info.catching_up !== false };
};
