import type { ModuleContext } from '../../lib/modules/module.js';

/** Where this host's admin API and chain API are reachable from: its network node. */
export interface NetworkNodeApi {
  /** the network node's inventory name */
  host: string;
  /** runs modules (the uri module) on the network node; this host's own context on a full server */
  ctx: ModuleContext;
  /** the network node's gonka_deploy_dir (its node-config.json lists this host's ML nodes) */
  deployDir: string;
  /** this host is an ML-only server and `ctx` runs on its network node */
  remote: boolean;
}

/**
 * The admin API (9200) and the public API are bound to the network node's loopback or private address: an
 * ML-only server (`network_node: HOST`) cannot reach them, so its admin calls run on the network node, over
 * the run's own connection to it, the way `delegate_to` would.
 */
export const networkNode = async (
  ctx: ModuleContext,
  v: { inventory_hostname: string; network_node?: string; gonka_deploy_dir: string; hostvars?: Record<string, Record<string, unknown> | undefined> },
): Promise<NetworkNodeApi> => {
  const host = v.network_node;
  if (!host || host === v.inventory_hostname) return { host: v.inventory_hostname, ctx, deployDir: v.gonka_deploy_dir, remote: false };
  const deployDir = v.hostvars?.[host]?.gonka_deploy_dir;
  return { host, ctx: await ctx.onHost(host), deployDir: typeof deployDir === 'string' ? deployDir : v.gonka_deploy_dir, remote: true };
};
