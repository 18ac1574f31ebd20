import { createHostFacts } from '../../lib/facts/host-facts.js';
import { createModuleContext } from '../../lib/modules/context.js';
import type { ModuleContext } from '../../lib/modules/module.js';
import { lookupModule } from '../../lib/modules/registry.js';
import { ConnectionVarsSchema, connectTransport } from '../../lib/transport/connect.js';

/** Where this host's admin API and chain API are reachable from: its network node. */
export interface NetworkNodeApi {
  /** the network node's inventory name */
  host: string;
  /** runs modules (the uri module) on the network node; this host's own context on a full server */
  ctx: ModuleContext;
  /** the network node's gonka_deploy_dir (its node-config.json lists this host's ML nodes) */
  deployDir: string;
  /** this host is an ML-only server and `ctx` is a connection of its own to the network node */
  remote: boolean;
  close(): Promise<void>;
}

const CONNECTION_KEYS = Object.keys(ConnectionVarsSchema.shape);

const envOf = (value: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries((value as Record<string, unknown> | undefined) ?? {}).map(([k, val]) => [k, String(val)]));

/**
 * The admin API (9200) and the public API are bound to the network node's loopback or private address: an
 * ML-only server (`network_node: HOST`) cannot reach them, so its admin calls run on the network node, over
 * a connection opened with that host's inventory variables, the way `delegate_to` would.
 */
export const openNetworkNode = async (ctx: ModuleContext, v: { inventory_hostname: string; network_node?: string; gonka_deploy_dir: string }): Promise<NetworkNodeApi> => {
  const host = v.network_node;
  if (!host || host === v.inventory_hostname) return { host: v.inventory_hostname, ctx, deployDir: v.gonka_deploy_dir, remote: false, close: async () => undefined };
  const hv = (ctx.vars.hostvars as Record<string, Record<string, unknown>>)[host];
  const conn = Object.fromEntries(CONNECTION_KEYS.flatMap((k) => (hv[k] === undefined ? [] : [[k, hv[k]]])));
  const transport = await connectTransport(host, conn);
  const env = envOf(hv.nop_env);
  const remote = createModuleContext({
    hostname: host,
    transport,
    facts: createHostFacts(transport, () => ({ env })),
    check: ctx.check,
    diff: false,
    env,
    vars: ctx.vars,
    templateDirs: [],
    fileDirs: [],
    progress: (line) => ctx.progress(`${host}: ${line}`),
    lookupModule,
    invoke: (def, args, c) => def.run(def.args.parse(args), c),
  });
  return { host, ctx: remote, deployDir: String(hv.gonka_deploy_dir ?? v.gonka_deploy_dir), remote: true, close: () => transport.close() };
};

/** Run `work` with the network node's API context, always closing a connection opened for it. */
export const withNetworkNode = async <T>(ctx: ModuleContext, v: Parameters<typeof openNetworkNode>[1], work: (nn: NetworkNodeApi) => Promise<T>): Promise<T> => {
  const nn = await openNetworkNode(ctx, v);
  try {
    return await work(nn);
  } finally {
    await nn.close();
  }
};
