import type { HttpAnswer } from '../facts/builtin/http.js';

/** The three config.env variables that name a node's seed (reference gonka-interfaces.md §1.1). */
export interface SeedEndpoints {
  SEED_API_URL: string;
  SEED_NODE_RPC_URL: string;
  SEED_NODE_P2P_URL: string;
}

export const SEED_VARIABLES = ['SEED_API_URL', 'SEED_NODE_RPC_URL', 'SEED_NODE_P2P_URL'] as const;

/** What a CometBFT /status says about the node that answers it. */
export interface SeedNodeInfo {
  id: string;
  listenAddr: string;
  chainId: string;
}

interface CometNodeInfo {
  result?: { node_info?: { id?: unknown; listen_addr?: unknown; network?: unknown } };
}

/** A seed API's base URL without a trailing slash: `/chain-rpc/` and the other routes hang off it. */
export const seedBase = (seedApiUrl: string): string => seedApiUrl.replace(/\/+$/, '');

/** `<seed>/chain-rpc/status`: the seed's CometBFT RPC through its proxy (never `<seed>:26657`, reference §13). */
export const seedStatusUrl = (seedApiUrl: string): string => `${seedBase(seedApiUrl)}/chain-rpc/status`;

/** node_info of an answer to /status, or why there is none. */
export const nodeInfoOf = (answer: HttpAnswer, url: string): SeedNodeInfo | { error: string } => {
  if (answer.status === 0) return { error: `${url} does not answer` };
  if (answer.status !== 200) return { error: `${url} answered HTTP ${answer.status}` };
  const info = (answer.json as CometNodeInfo | undefined)?.result?.node_info;
  if (!info || typeof info.id !== 'string' || typeof info.listen_addr !== 'string' || typeof info.network !== 'string')
    return { error: `${url} answered, but not with a CometBFT status (result.node_info with id, listen_addr and network)` };
  return { id: info.id, listenAddr: info.listen_addr, chainId: info.network };
};

/**
 * The seed's RPC URL and p2p address as the reference derives them (gonka-operations.md §13): the RPC through the
 * seed's proxy, `<seed>/chain-rpc/`; the p2p address the seed's host with the port of its `listen_addr`.
 */
export const deriveSeedEndpoints = (seedApiUrl: string, listenAddr: string): SeedEndpoints | { error: string } => {
  const port = /:(\d{1,5})$/.exec(listenAddr.trim())?.[1];
  if (!port || Number(port) < 1 || Number(port) > 65535) return { error: `the seed's listen_addr '${listenAddr}' has no port` };
  const base = seedBase(seedApiUrl);
  return { SEED_API_URL: base, SEED_NODE_RPC_URL: `${base}/chain-rpc/`, SEED_NODE_P2P_URL: `tcp://${new URL(base).hostname}:${port}` };
};

/** Why this seed must not be used for a node of `chainId`, or undefined. */
export const seedRefusal = (seed: SeedNodeInfo | { error: string }, chainId: string | undefined): string | undefined => {
  if ('error' in seed) return `the seed is refused: ${seed.error}`;
  if (!chainId) return undefined;
  if (seed.chainId !== chainId) return `the seed is refused: it answers for chain '${seed.chainId}', this node runs '${chainId}'`;
  return undefined;
};

/** The seed variables that change, as `NAME: old → new` lines; empty when config.env already names this seed. */
export const seedChanges = (current: Partial<Record<string, string>>, wanted: SeedEndpoints): string[] =>
  SEED_VARIABLES.filter((k) => current[k] !== wanted[k]).map((k) => `${k}: ${current[k] ?? '(unset)'} → ${wanted[k]}`);

/**
 * Why new seeds in config.env do not reach a node that is already initialised (reference gonka-interfaces.md §1.3:
 * the node's init writes seeds once, then touches .node_initialized), and the two ways to make them count.
 */
export const seedsNotAppliedReason = (deployDir: string): string =>
  `the node is already initialised (${deployDir}/.inference/.node_initialized exists): it wrote its seeds into config.toml ` +
  'at its first start and does not read SEED_NODE_RPC_URL / SEED_NODE_P2P_URL again, so the new seeds take effect only ' +
  'when the chain data is reset (-e reset_chain_data=true: node stopped, .inference/data/ and .node_initialized removed, ' +
  'the node state-syncs again from the new seed; keys and config/ are kept) or when p2p.seeds in .inference/config/config.toml ' +
  'is edited by hand and the node restarted';

/** `p2p.seeds` of a node's config.toml (`id@host:port`, comma-separated), as the node's init wrote it; [] when absent. */
export const configuredSeeds = (configToml: string): string[] => {
  let section = '';
  for (const raw of configToml.split('\n')) {
    const line = raw.trim();
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) section = header[1].trim();
    const seeds = section === 'p2p' ? /^seeds\s*=\s*"([^"]*)"/.exec(line) : null;
    if (seeds)
      return seeds[1]
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
  }
  return [];
};

/** The `id@host:port` entry the node's init writes for this seed (`inferenced set-seeds`: id from the seed's /status). */
export const seedEntry = (nodeId: string, endpoints: SeedEndpoints): string => `${nodeId}@${endpoints.SEED_NODE_P2P_URL.replace(/^tcp:\/\//, '')}`;
