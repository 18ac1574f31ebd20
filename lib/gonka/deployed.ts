import { posix } from 'node:path';
import type { ModuleContext } from '../modules/module.js';
import { shellJoin } from '../transport/shell-quote.js';
import { MLNODE_COMPOSE, NETWORK_COMPOSE } from './deploy-files.js';

/**
 * Why a day-2 task has nothing to work on, or undefined when a deployment is there: neither compose file nop
 * renders is in the deploy dir. "Healthy" or "every image is current" would be wrong about a bare server.
 */
export const notDeployed = async (ctx: ModuleContext, deployDir: string): Promise<string | undefined> => {
  const [network, ml] = [NETWORK_COMPOSE, MLNODE_COMPOSE].map((f) => posix.join(deployDir, f));
  const res = await ctx.exec(`test -f ${shellJoin([network])} || test -f ${shellJoin([ml])}`);
  if (res.code === 0) return undefined;
  return `nothing is deployed on ${ctx.hostname}: neither ${network} nor ${ml} exists; set it up first: nop run playbooks/setup.yml -i INVENTORY -l ${ctx.hostname}`;
};
