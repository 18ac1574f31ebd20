import { z } from 'zod';
import { deployEndpoints, publishedPorts } from '../day2/deploy-endpoints.js';
import { selectInventoryHosts, withTransport } from '../day2/inventory-hosts.js';
import { AdminApiError, addMlNode, listMlNodes, removeMlNode, setMlNodeEnabled, updateMlNode, type AdminApi, type NodeRegistration } from '../day2/ml-node.js';
import { statusTarget } from '../day2/status-target.js';
import { shellJoin } from '../transport/shell-quote.js';
import type { ConnectOptions } from '../transport/connect.js';
import type { Transport } from '../transport/transport.js';
import type { MlNodeSummary } from '../day2/admin-nodes.js';
import { OptionError } from './extra-vars.js';
import { NoHostsError } from '../inventory/index.js';
import { RunError } from '../runner/run-error.js';

export const ML_NODE_ACTIONS = ['list', 'status', 'add', 'update', 'remove', 'enable', 'disable'] as const;
export type MlNodeAction = (typeof ML_NODE_ACTIONS)[number];

export interface MlNodeCommandOptions {
  inventory: string[];
  limit?: string;
  json?: boolean;
  connect?: ConnectOptions;
  out?: (text: string) => void;
}

const NodeConfigSchema = z.array(
  z.object({
    id: z.string(),
    host: z.string(),
    inference_port: z.number(),
    poc_port: z.number(),
    max_concurrent: z.number(),
    models: z.record(z.string(), z.object({ args: z.array(z.string()) })),
    hardware: z.array(z.object({ type: z.string(), count: z.number() })),
  }),
);

/** A remote file's text, or an error naming it. */
const readRemote = async (t: Transport, path: string): Promise<string> => {
  const res = await t.exec(`cat ${shellJoin([path])}`);
  if (res.code !== 0) throw new OptionError(`cannot read ${path} on the network node: ${res.stderr.trim()}`);
  return res.stdout;
};

const table = (nodes: MlNodeSummary[]): string => {
  const rows = [
    ['ID', 'STATUS', 'ENABLED', 'MODEL', 'POC WEIGHT', 'TIMESLOTS'],
    ...nodes.map((n) => [
      n.id,
      n.failure ? `${n.status} (${n.failure})` : n.status,
      n.enabled ? 'yes' : 'no',
      n.model || '-',
      String(n.pocWeight),
      n.timeslots.length ? n.timeslots.map((s) => (s ? '1' : '0')).join('') : '-',
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
};

/** The registrations rendered for this network node (node-config.json lists its ML hosts' nodes), by id or all. */
const registrations = (text: string, id: string | undefined): NodeRegistration[] => {
  const all = NodeConfigSchema.parse(JSON.parse(text));
  if (id === undefined) return all;
  const one = all.filter((e) => e.id === id);
  if (one.length === 0) throw new OptionError(`no ML node "${id}" in the rendered node-config.json (known: ${all.map((e) => e.id).join(', ')})`);
  return one;
};

const act = async (
  action: MlNodeAction,
  id: string | undefined,
  api: AdminApi,
  nodeConfig: () => Promise<string>,
  publicBase: string | undefined,
): Promise<string> => {
  const needId = () => {
    if (!id) throw new OptionError(`ml-node ${action} needs a node ID`);
    return id;
  };
  switch (action) {
    case 'list':
      return table(await listMlNodes(api));
    case 'status': {
      const node = (await listMlNodes(api)).find((n) => n.id === needId());
      if (!node) throw new OptionError(`no ML node "${id}" is registered`);
      return table([node]);
    }
    case 'enable':
    case 'disable':
      await setMlNodeEnabled(api, needId(), action === 'enable');
      return `ML node ${id} ${action}d (takes effect with the next epoch)`;
    case 'remove':
      return (await removeMlNode(api, needId())) ? `ML node ${id} removed` : `ML node ${id} was not registered`;
    case 'add': {
      const registered = new Set((await listMlNodes(api)).map((n) => n.id));
      const todo = registrations(await nodeConfig(), id).filter((e) => !registered.has(e.id));
      for (const entry of todo) await addMlNode(api, entry);
      return todo.length ? `added ${todo.map((e) => e.id).join(', ')}` : 'every rendered ML node is already registered';
    }
    case 'update': {
      const [entry] = registrations(await nodeConfig(), needId());
      return `ML node ${entry.id} updated (${await updateMlNode(api, publicBase, entry)})`;
    }
  }
};

/** `nop ml-node ACTION [ID] -l NETWORK_NODE`: ML nodes through the network node's admin API, reached from the host. */
export const mlNodeCommand = async (action: string, id: string | undefined, opts: MlNodeCommandOptions): Promise<number> => {
  const out = opts.out ?? ((t: string) => void process.stdout.write(`${t}\n`));
  if (!(ML_NODE_ACTIONS as readonly string[]).includes(action))
    throw new OptionError(`unknown ml-node action "${action}" (one of ${ML_NODE_ACTIONS.join(', ')})`);
  const hosts = await selectInventoryHosts({ inventory: opts.inventory, limit: opts.limit, pattern: 'network_nodes' });
  if (hosts.length === 0)
    throw new NoHostsError(
      opts.limit === undefined
        ? 'the inventory has no network node (group network_nodes)'
        : `--limit ${opts.limit} matches no network node (group network_nodes)`,
    );
  if (hosts.length !== 1)
    throw new OptionError(`choose exactly one network node with -l (matched ${hosts.length}: ${hosts.map((h) => h.name).join(', ') || 'none'})`);
  const target = statusTarget(hosts[0].name, hosts[0].vars);
  return withTransport(hosts[0], opts.connect ?? {}, async (transport) => {
    const compose = `${target.deployDir}/docker-compose.yml`;
    if ((await transport.exec(`test -f ${shellJoin([compose])}`)).code !== 0)
      throw new RunError(`nothing is deployed on ${target.host}: no ${compose}; set it up first: nop run playbooks/setup.yml -i INVENTORY -l ${target.host}`);
    const ports = publishedPorts(await readRemote(transport, compose));
    const endpoints = deployEndpoints(ports);
    if (!endpoints.admin) throw new OptionError(`${target.host}: docker-compose.yml publishes no admin API (api container port 9200)`);
    const api: AdminApi = { transport, base: endpoints.admin };
    const nodeConfig = () => readRemote(transport, `${target.deployDir}/node-config.json`);
    if (opts.json && (action === 'list' || action === 'status')) {
      const nodes = await listMlNodes(api);
      out(JSON.stringify(action === 'list' ? nodes : nodes.filter((n) => n.id === id), null, 2));
      return 0;
    }
    try {
      out(await act(action as MlNodeAction, id, api, nodeConfig, endpoints.api));
      return 0;
    } catch (e) {
      if (!(e instanceof AdminApiError)) throw e;
      process.stderr.write(`ERROR! ${e.message}\n`);
      return 1;
    }
  });
};
