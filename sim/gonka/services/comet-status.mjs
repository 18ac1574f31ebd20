// CometBFT JSON-RPC shapes for /status, as the node and its /chain-rpc/ proxy return them.
import crypto from 'node:crypto';

const blockHash = (height) => crypto.createHash('sha256').update(`block-${height}`).digest('hex').toUpperCase();

// CometBFT prints RFC3339 with nanoseconds.
const cometTime = (ms) => new Date(ms).toISOString().replace('Z', '000000Z');

export const rpcResult = (id, result) => ({ jsonrpc: '2.0', id, result });
export const rpcError = (id, code, message, data) => ({ jsonrpc: '2.0', id, error: { code, message, data } });

export function statusResult(node) {
  const { height, networkHeight, blocksPerSecond } = node;
  // A block's time is the wall clock's, as a real node's is: a reader compares it with its own clock (nop status's
  // last block age). The simulated clock (the ledger's: jailed_until, voting ends) stands still between requests,
  // so on a busy machine it falls minutes behind the wall and a synced node would read as stalled.
  const now = Date.now();
  const lagSeconds = (networkHeight - height) / blocksPerSecond;
  return {
    node_info: {
      protocol_version: { p2p: '8', block: '11', app: '0' },
      id: node.nodeId,
      listen_addr: node.listenAddr,
      network: node.chainId,
      version: '0.38.17',
      channels: '40202122233038606100',
      moniker: node.moniker,
      other: { tx_index: 'on', rpc_address: 'tcp://0.0.0.0:26657' },
    },
    sync_info: {
      latest_block_hash: blockHash(height),
      latest_app_hash: blockHash(height + 0.5),
      latest_block_height: String(height),
      latest_block_time: cometTime(now - lagSeconds * 1000),
      earliest_block_hash: blockHash(node.earliestHeight),
      earliest_app_hash: blockHash(node.earliestHeight + 0.5),
      earliest_block_height: String(node.earliestHeight),
      earliest_block_time: cometTime(now - ((networkHeight - node.earliestHeight) / blocksPerSecond) * 1000),
      catching_up: height < networkHeight,
    },
    validator_info: {
      address: node.validatorAddress,
      pub_key: { type: 'tendermint/PubKeyEd25519', value: node.consensusPubkey },
      voting_power: String(node.votingPower),
    },
  };
}
