import type { Deployment } from '../../lib/gonka/deployment.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { MLNODE_COMPOSE, NETWORK_COMPOSE } from '../../lib/gonka/deploy-files.js';
import { compose, runningServices } from '../../lib/gonka/deployment-compose.js';
import { lastLines } from '../../lib/gonka/last-lines.js';

// tmkms holds the consensus key the node signs with; the api needs the node; edge-api reads the node, versiond and
// the bridge talk to the api; proxy-ssl (with a domain) issues the certificate the proxy serves; the proxy fronts them all
export const chainOrder = (d: Deployment): string[] => [
  'tmkms',
  'node',
  'api',
  'edge-api',
  'versiond',
  ...(d.bridge ? ['bridge'] : []),
  ...(d.ssl_domain ? ['proxy-ssl'] : []),
  'proxy',
  'explorer',
];

const start = async (ctx: ModuleContext, d: Deployment, file: string, wanted: string[], upArgs: (missing: string[]) => string[][]): Promise<ModuleResult> => {
  const running = await runningServices(ctx, d, file);
  if (running === undefined) {
    if (ctx.check) return { changed: true, msg: `would start ${wanted.join(', ')} (${file} or docker is not in place yet)` };
    return { changed: false, failed: true, msg: `docker compose -f ${file} ps failed: is docker running and ${file} rendered (config role)?` };
  }
  const missing = wanted.filter((s) => !running.has(s));
  if (missing.length === 0) return { changed: false, msg: `${wanted.join(', ')} running` };
  if (ctx.check) return { changed: true, msg: `would start ${missing.join(', ')}`, started: missing };
  for (const args of upArgs(missing)) {
    ctx.progress(`docker compose -f ${file} ${args.join(' ')}`);
    const res = await compose(ctx, d, file, args);
    if (res.code !== 0)
      return { changed: true, failed: true, msg: `docker compose -f ${file} ${args.join(' ')} failed (rc=${res.code}): ${lastLines(res.stderr, 5)}` };
  }
  return { changed: true, msg: `started ${missing.join(', ')}`, started: missing };
};

/** The chain side, one service at a time in dependency order; services already running are left alone. */
export const startChainSide = (ctx: ModuleContext, d: Deployment): Promise<ModuleResult> => {
  const order = chainOrder(d);
  return start(ctx, d, NETWORK_COMPOSE, order, (missing) => order.filter((s) => missing.includes(s)).map((s) => ['up', '-d', '--no-deps', s]));
};

/** The ML node containers and their nginx, once the weights are in place. */
export const startMlNodes = (ctx: ModuleContext, d: Deployment): Promise<ModuleResult> =>
  start(ctx, d, MLNODE_COMPOSE, [...d.mlnodes.map((m) => m.service), 'inference'], () => [['up', '-d']]);
