import type { Deployment } from '../../lib/gonka/deployment.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';

/** One listening TCP socket: address and port, as `ss -ltnH` prints them (`[::]` stays as written). */
export interface Listener {
  address: string;
  port: number;
}

export const parseSs = (stdout: string): Listener[] =>
  stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((cols) => cols[0] === 'LISTEN' && cols.length >= 4)
    .map((cols) => {
      const local = cols[3];
      const cut = local.lastIndexOf(':');
      return { address: local.slice(0, cut).replace(/%\S+$/, ''), port: Number(local.slice(cut + 1)) };
    });

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

export const portsBoundAsIntended = async (ctx: ModuleContext, d: Deployment): Promise<ModuleResult> => {
  const res = await ctx.exec('ss -ltnH');
  if (res.code !== 0) return { changed: false, failed: true, msg: `ss -ltnH failed (rc=${res.code}): ${res.stderr.trim()}` };
  const problems = checkPorts(parseSs(res.stdout), d);
  if (problems.length > 0) return { changed: false, failed: true, msg: problems.join('; ') };
  return {
    changed: false,
    msg: `${expectedPorts(d).length} ports listening, internal ones on ${[...new Set([d.bind.internal, d.bind.ml_facing])].join(' / ')} only`,
  };
};
