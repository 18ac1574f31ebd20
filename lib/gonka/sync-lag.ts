/** One reading of a node's sync state: its height, its latest block's time, and when it was read (ms since the epoch). */
export interface SyncSample {
  height: number;
  blockTime: number;
  at: number;
}

/**
 * How many blocks a catching-up node is behind, from two readings of its own status, without knowing the chain's
 * block time: its last block is (at - blockTime) old, and between the readings it gained (height delta) blocks
 * covering (block time delta) of chain time. Undefined while the node has not moved.
 */
export const blocksBehind = (prev: SyncSample, cur: SyncSample): number | undefined => {
  const lagMs = Math.max(0, cur.at - cur.blockTime);
  const chainMs = cur.blockTime - prev.blockTime;
  const blocks = cur.height - prev.height;
  if (blocks <= 0 || chainMs <= 0) return undefined;
  return Math.round((lagMs * blocks) / chainMs);
};
