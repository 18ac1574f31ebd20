import type { Deployment } from '../../lib/gonka/deployment.js';
import { listeningSockets, type Listener } from '../../lib/facts/builtin/listening-sockets.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';

interface Expected {
  port: number;
  what: string;
  /** the only address it may listen on; undefined: a public port, any address */
  on?: string;
}

const expectedPorts = (d: Deployment): Expected[] => [
  ...(d.topology.network
    ? [
        { port: d.ports.p2p, what: 'p2p' },
        { port: d.ports.api, what: 'public API (proxy)' },
        { port: d.ports.rpc, what: 'chain RPC', on: d.bind.internal },
        { port: d.ports.admin, what: 'admin API', on: d.bind.internal },
        { port: d.ports.poc_callback, what: 'PoC callback', on: d.bind.ml_facing },
      ]
    : []),
  ...d.mlnodes.flatMap((m) => [
    { port: m.host_poc_port, what: `${m.service} management`, on: d.bind.ml_facing },
    { port: m.host_inference_port, what: `${m.service} inference`, on: d.bind.ml_facing },
  ]),
];

/** Every Gonka port listens, and each internal one only on the address it was bound to (never 0.0.0.0). */
export const checkPorts = (listeners: Listener[], d: Deployment): string[] =>
  expectedPorts(d).flatMap((e) => {
    const on = listeners.filter((l) => l.port === e.port);
    if (on.length === 0) return [`${e.what} (${e.port}) is not listening`];
    if (e.on === undefined) return [];
    const wrong = on.filter((l) => l.address !== e.on);
    return wrong.map((l) => `${e.what} (${e.port}) listens on ${l.address}: an internal port must be bound to ${e.on} only`);
  });

/** Every Gonka port listens, and each internal one only on the address it was bound to: from the host's sockets. */
export const portsBoundAsIntended = async (ctx: ModuleContext, d: Deployment): Promise<ModuleResult> => {
  let listeners: Listener[];
  try {
    listeners = await ctx.facts.read(listeningSockets, undefined);
  } catch (e) {
    return { changed: false, failed: true, msg: (e as Error).message };
  }
  const problems = checkPorts(listeners, d);
  if (problems.length > 0) return { changed: false, failed: true, msg: problems.join('; ') };
  return {
    changed: false,
    msg: `${expectedPorts(d).length} ports listening, internal ones on ${[...new Set([d.bind.internal, d.bind.ml_facing])].join(' / ')} only`,
  };
};
