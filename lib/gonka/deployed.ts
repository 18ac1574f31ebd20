import { posix } from 'node:path';
import type { ModuleContext } from '../modules/module.js';
import { shellJoin } from '../transport/shell-quote.js';
import { MLNODE_COMPOSE, NETWORK_COMPOSE } from './deploy-files.js';

/**
 * Why a day-2 task has nothing to work on, or undefined when a deployment is there: neither compose file nop
 * renders is in the deploy dir. "Healthy" or "every image is current" would be wrong about a bare server.
 */
export const notDeployed = async (ctx: ModuleContext, deployDir: string): Promise<string | undefined> => {
  const [network, ml] = composeFiles(deployDir);
  const res = await ctx.exec(`test -f ${shellJoin([network])} || test -f ${shellJoin([ml])}`);
  return res.code === 0 ? undefined : nothingDeployed(ctx.hostname, deployDir);
};

/** The two compose files nop renders in a deploy dir: a deployment is there when either is. */
export const composeFiles = (deployDir: string): [string, string] => [posix.join(deployDir, NETWORK_COMPOSE), posix.join(deployDir, MLNODE_COMPOSE)];

export const nothingDeployed = (hostname: string, deployDir: string): string => {
  const [network, ml] = composeFiles(deployDir);
  return `nothing is deployed on ${hostname}: neither ${network} nor ${ml} exists; set it up first: nop run playbooks/setup.yml -i INVENTORY -l ${hostname}`;
};
