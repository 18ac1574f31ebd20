// The planning logic of the decommission and seed-switch procedures (issue 13 items 5 and 6): no host, no sshd.
import { describe, expect, it } from 'vitest';
import { isParticipantsList, newestArchive, scheduledNodes, waitVerdict, type WaitState } from '../../../lib/gonka/decommission.js';
import { configuredSeeds, deriveSeedEndpoints, nodeInfoOf, seedChanges, seedEntry, seedRefusal, seedStatusUrl } from '../../../lib/gonka/seed-endpoints.js';

const status = (nodeInfo: Record<string, unknown>) => ({ status: 200, body: '', json: { jsonrpc: '2.0', id: -1, result: { node_info: nodeInfo } } });
const SEED_INFO = { id: 'ab12', listen_addr: 'tcp://0.0.0.0:5000', network: 'gonka-mainnet' };

describe('seed endpoints (reference gonka-operations.md §13)', () => {
  it('derives the RPC URL through the proxy and the p2p address from the seed host and listen_addr port', () => {
    expect(seedStatusUrl('http://node3.gonka.ai:8000/')).toBe('http://node3.gonka.ai:8000/chain-rpc/status');
    expect(deriveSeedEndpoints('http://node3.gonka.ai:8000/', 'tcp://0.0.0.0:5000')).toEqual({
      SEED_API_URL: 'http://node3.gonka.ai:8000',
      SEED_NODE_RPC_URL: 'http://node3.gonka.ai:8000/chain-rpc/',
      SEED_NODE_P2P_URL: 'tcp://node3.gonka.ai:5000',
    });
    // https seeds (node4.gonka.ai) keep their scheme for the API and RPC; p2p is always tcp
    expect(deriveSeedEndpoints('https://node4.gonka.ai', 'tcp://203.0.113.4:15000')).toMatchObject({
      SEED_NODE_RPC_URL: 'https://node4.gonka.ai/chain-rpc/',
      SEED_NODE_P2P_URL: 'tcp://node4.gonka.ai:15000',
    });
    expect(deriveSeedEndpoints('http://s:8000', 'tcp://0.0.0.0')).toEqual({ error: "the seed's listen_addr 'tcp://0.0.0.0' has no port" });
  });

  it('refuses a seed that does not answer, answers something else, or runs another chain', () => {
    const url = 'http://s:8000/chain-rpc/status';
    expect(seedRefusal(nodeInfoOf({ status: 0, body: '' }, url), 'gonka-mainnet')).toBe(`the seed is refused: ${url} does not answer`);
    expect(seedRefusal(nodeInfoOf({ status: 502, body: '' }, url), 'gonka-mainnet')).toBe(`the seed is refused: ${url} answered HTTP 502`);
    expect(seedRefusal(nodeInfoOf({ status: 200, body: '{}', json: {} }, url), 'gonka-mainnet')).toMatch(/not with a CometBFT status/);
    expect(seedRefusal(nodeInfoOf(status({ ...SEED_INFO, network: 'gonka-testnet' }), url), 'gonka-mainnet')).toBe(
      "the seed is refused: it answers for chain 'gonka-testnet', this node runs 'gonka-mainnet'",
    );
    expect(seedRefusal(nodeInfoOf(status(SEED_INFO), url), 'gonka-mainnet')).toBeUndefined();
  });

  it("lists only the config.env variables that change, and reads config.toml's p2p.seeds", () => {
    const wanted = deriveSeedEndpoints('http://n3:8000', 'tcp://x:5000');
    if ('error' in wanted) throw new Error(wanted.error);
    expect(seedChanges({ SEED_API_URL: 'http://n3:8000', SEED_NODE_RPC_URL: 'http://n2:8000/chain-rpc/' }, wanted)).toEqual([
      'SEED_NODE_RPC_URL: http://n2:8000/chain-rpc/ → http://n3:8000/chain-rpc/',
      'SEED_NODE_P2P_URL: (unset) → tcp://n3:5000',
    ]);
    expect(seedChanges({ ...wanted }, wanted)).toEqual([]);
    expect(seedEntry('ab12', wanted)).toBe('ab12@n3:5000');
    const toml =
      'moniker = "x"\nseeds = "not-p2p@h:1"\n[rpc]\nladdr = "tcp://0.0.0.0:26657"\n[p2p]\nexternal_address = ""\nseeds = "ab12@n3:5000, cd34@n2:5000"\n';
    expect(configuredSeeds(toml)).toEqual(['ab12@n3:5000', 'cd34@n2:5000']);
    expect(configuredSeeds('[p2p]\nseeds = ""\n')).toEqual([]);
    expect(configuredSeeds('')).toEqual([]);
  });
});

describe('decommission (reference gonka-operations.md §11)', () => {
  const participants = {
    active_participants: {
      participants: [
        { index: 'gonka1other', ml_nodes: [{ ml_nodes: [{ node_id: 'node1' }] }] },
        { index: 'gonka1me', ml_nodes: [{ ml_nodes: [{ node_id: 'node1' }, { node_id: 'node2' }] }] },
      ],
    },
  };

  it("finds this participant's nodes in the epoch's participants, and only its own", () => {
    expect(scheduledNodes(participants, 'gonka1me', ['node1', 'node2', 'node3'])).toEqual(['node1', 'node2']);
    expect(scheduledNodes(participants, 'gonka1gone', ['node1'])).toEqual([]);
    expect(isParticipantsList(participants)).toBe(true);
    expect(isParticipantsList({ error: 'active participants not found for epoch 7' })).toBe(false);
  });

  const state = (s: Partial<WaitState>): WaitState => ({
    startEpoch: 7,
    epoch: 7,
    height: 1000,
    phase: 'Inference',
    nextPocStart: 1040,
    scheduled: ['node1'],
    waitEpochs: 2,
    ...s,
  });

  it('waits while the epochs allowed last, refuses past them naming the nodes and when they leave, is done when none is left', () => {
    const waiting = waitVerdict(state({}));
    expect(waiting).toEqual({
      waiting:
        'epoch 7, height 1000, phase Inference: node1 still scheduled; they leave at the earliest with the PoC at block 1040 (40 blocks away); a preserved node serves one epoch more',
    });
    expect('waiting' in waitVerdict(state({ epoch: 8 }))).toBe(true);
    const refused = waitVerdict(state({ epoch: 9, scheduled: ['node1', 'node2'] }));
    expect('refused' in refused && refused.refused).toMatch(/^refused to stop: node1, node2 still scheduled for inference in epoch 9 /);
    // 0 epochs: no wait at all
    expect('refused' in waitVerdict(state({ waitEpochs: 0 }))).toBe(true);
    expect(waitVerdict(state({ epoch: 9, scheduled: [] }))).toEqual({ done: 'epoch 9 (height 1000): no ML node of this participant is scheduled any more' });
  });

  it("names the host's newest backup archive, not another host's", () => {
    const names = [
      'gpu1-2026-11-29T10-00-00-000Z.nopbackup',
      'gpu1-2026-11-30T09-00-00-000Z.nopbackup',
      'gpu10-2026-12-01T00-00-00-000Z.nopbackup',
      'gpu1-notes.txt',
    ];
    expect(newestArchive(names, 'gpu1')).toBe('gpu1-2026-11-30T09-00-00-000Z.nopbackup');
    expect(newestArchive(names, 'gpu2')).toBeUndefined();
  });
});
