import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { packageRoot } from '../runner/paths.js';
import { HttpUrlSchema } from './value-schemas.js';

export const NETWORK_NAMES = ['mainnet', 'testnet'] as const;
export type NetworkName = (typeof NETWORK_NAMES)[number];

const httpUrl = HttpUrlSchema;
const tcpUrl = z.string().regex(/^tcp:\/\/[A-Za-z0-9.-]+:\d{1,5}$/, 'expected tcp://HOST:PORT');

/** A Gonka network's public endpoints and chain parameters (data/networks/NAME.yml). */
export const NetworkSchema = z.strictObject({
  chain_id: z.string().regex(/^[a-z0-9-]+$/),
  seed_api_url: httpUrl,
  seed_node_rpc_url: httpUrl,
  seed_node_p2p_url: tcpUrl,
  /** further seed APIs an operator may switch to */
  seed_api_urls: z.array(httpUrl),
  /** state-sync RPC servers: RPC_SERVER_URL_1 and _2 */
  rpc_servers: z.tuple([httpUrl, httpUrl]),
  /** persistent peers `nodeid@host:port` handed to the node at first start */
  peers: z.array(z.string().regex(/^[0-9a-f]{40}@[A-Za-z0-9.-]+:\d{1,5}$/, 'expected NODEID@HOST:PORT')),
  trusted_block_period: z.number().int().positive(),
  /** checkpoint sync of the bridge's beacon client (BEACON_STATE_URL) */
  beacon_state_url: httpUrl,
  /** public API routes the proxy refuses (GONKA_API_BLOCKED_ROUTES) */
  blocked_routes: z.array(z.string().regex(/^[a-z0-9/_-]+$/)).min(1),
});

export type Network = z.output<typeof NetworkSchema>;

export const dataDir = join(packageRoot, 'data');

/** Read and validate data/networks/NAME.yml. */
export const loadNetwork = async (name: NetworkName, dir = dataDir): Promise<Network> => {
  const file = join(dir, 'networks', `${name}.yml`);
  const res = NetworkSchema.safeParse(parse(await readFile(file, 'utf8')));
  if (!res.success) throw new Error(`${file}: ${z.prettifyError(res.error)}`);
  return res.data;
};

/** The network file under the inventory's `gonka_network_overrides` mapping; the result is validated again. */
export const withNetworkOverrides = (network: Network, overrides: Record<string, unknown>): Network => {
  const res = NetworkSchema.safeParse({ ...network, ...overrides });
  if (res.success) return res.data;
  const issue = res.error.issues[0];
  throw new Error(`variable 'gonka_network_overrides.${issue.path.join('.')}': ${issue.message}`);
};
