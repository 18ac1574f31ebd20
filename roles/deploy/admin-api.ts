import { z } from 'zod';
import type { ModuleContext } from '../../lib/modules/module.js';
import { hostRequest } from '../../lib/gonka/host-request.js';

/** One ML node as the api's admin API (127.0.0.1:9200 on the network node) lists it. */
export const AdminNodeSchema = z.looseObject({
  node: z.looseObject({
    id: z.string(),
    host: z.string(),
    inference_port: z.number(),
    poc_port: z.number(),
    max_concurrent: z.number().optional(),
    models: z.record(z.string(), z.looseObject({ args: z.array(z.string()).optional() })).default({}),
  }),
  state: z
    .looseObject({
      current_status: z.string().optional(),
      failure_reason: z.string().optional(),
      admin_state: z.looseObject({ enabled: z.boolean() }).optional(),
    })
    .default({}),
});

export type AdminNode = z.output<typeof AdminNodeSchema>;

export const adminUrl = (adminPort: number, path = ''): string => `http://127.0.0.1:${adminPort}/admin/v1/nodes${path}`;

/** The admin API's ML nodes; undefined when the api does not answer. */
export const listAdminNodes = async (ctx: ModuleContext, adminPort: number): Promise<AdminNode[] | undefined> => {
  const res = await hostRequest(ctx, adminUrl(adminPort));
  if (res.status !== 200) return undefined;
  const parsed = z.array(AdminNodeSchema).safeParse(res.json);
  return parsed.success ? parsed.data : undefined;
};
