/** What a simulated node's CometBFT /status is made from. */
export interface CometNode {
  height: number;
  networkHeight: number;
  blocksPerSecond: number;
  earliestHeight: number;
  nodeId: string;
  listenAddr: string;
  chainId: string;
  moniker: string;
  validatorAddress: string;
  consensusPubkey: string;
  votingPower: number;
}

export function statusResult(node: CometNode): {
  node_info: Record<string, unknown>;
  sync_info: {
    latest_block_hash: string;
    latest_app_hash: string;
    latest_block_height: string;
    latest_block_time: string;
    earliest_block_hash: string;
    earliest_app_hash: string;
    earliest_block_height: string;
    earliest_block_time: string;
    catching_up: boolean;
  };
  validator_info: Record<string, unknown>;
};
