import type { ModuleContext } from '../modules/module.js';
import { parseAdminNodes, type AdminNode } from './admin-api.js';
import { hostRequest } from './host-request.js';

/** The admin API's nodes URL on the network node's loopback (127.0.0.1:PORT). */
export const adminUrl = (adminPort: number, path = ''): string => `http://127.0.0.1:${adminPort}/admin/v1/nodes${path}`;

/** The admin API's ML nodes, asked from the host itself; undefined when the api does not answer. */
export const listAdminNodes = async (ctx: ModuleContext, adminPort: number): Promise<AdminNode[] | undefined> => {
  const res = await hostRequest(ctx, adminUrl(adminPort));
  return parseAdminNodes(res.status, res.json);
};
