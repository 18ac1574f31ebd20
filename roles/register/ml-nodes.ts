import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { syncAdminNodes } from '../../lib/gonka/admin-node-sync.js';
import type { RegisterVars } from './vars.js';

/**
 * Every ML node of node-config (this server's and those of the ML servers naming it) in the network node's
 * admin API, as configured and enabled: the api reads node-config.json only at its first start.
 */
export const syncMlNodes = (ctx: ModuleContext, v: RegisterVars): Promise<ModuleResult> => syncAdminNodes(ctx, v.gonka.ports.admin, v.gonka.node_config);
