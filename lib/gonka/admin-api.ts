import { z } from 'zod';
import type { HttpGet } from '../facts/builtin/http.js';
import type { NodeConfigEntry } from './deployment.js';

/** An ML node as the api's admin API takes it (node-config.json holds the same objects). */
export const AdminNodeEntrySchema = z.strictObject({
  id: z.string().min(1),
  host: z.string().min(1),
  inference_port: z.number().int().min(1).max(65535),
  poc_port: z.number().int().min(1).max(65535),
  max_concurrent: z.number().int().positive(),
  models: z.record(z.string(), z.looseObject({ args: z.array(z.string()).default([]) })),
  hardware: z.array(z.object({ type: z.string(), count: z.number().int().positive() })).default([]),
});
export type AdminNodeEntry = z.output<typeof AdminNodeEntrySchema>;

/** One ML node as the admin API lists it (the fields nop reads; the api sends more). */
export const AdminNodeSchema = z.looseObject({
  node: z.looseObject({
    id: z.string(),
    host: z.string().optional(),
    inference_port: z.number().optional(),
    poc_port: z.number().optional(),
    max_concurrent: z.number().optional(),
    models: z.record(z.string(), z.looseObject({ args: z.array(z.string()).optional() })).default({}),
  }),
  state: z
    .looseObject({
      intended_status: z.string().optional(),
      current_status: z.string().optional(),
      poc_current_status: z.string().optional(),
      failure_reason: z.string().optional(),
      admin_state: z.looseObject({ enabled: z.boolean(), epoch: z.number().optional() }).optional(),
      /** per model: this epoch's PoC weight and [PoC slot, inference slot] allocation */
      epoch_ml_nodes: z
        .record(z.string(), z.looseObject({ poc_weight: z.number().optional(), timeslot_allocation: z.array(z.boolean()).optional() }))
        .optional(),
    })
    .default({}),
});
export type AdminNode = z.output<typeof AdminNodeSchema>;

/** The admin API (the api's port 9200, bound to the network node's loopback). */
export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:9200';

export const adminNodesUrl = (adminUrl: string, path = ''): string => `${adminUrl.replace(/\/$/, '')}/admin/v1/nodes${path}`;

/** The admin API on the network node's loopback, where it is bound. */
export const localAdminUrl = (adminPort: number): string => `http://127.0.0.1:${adminPort}`;

/** GET /admin/v1/nodes, read on the host where the admin API is bound (the `httpGet` fact). */
export const adminNodesRequest = (adminUrl: string): HttpGet => ({ url: adminNodesUrl(adminUrl) });

/** A node-config entry as the admin API takes it. */
export const adminEntryOf = (e: NodeConfigEntry): AdminNodeEntry => ({
  id: e.id,
  host: e.host,
  inference_port: e.inference_port,
  poc_port: e.poc_port,
  max_concurrent: e.max_concurrent,
  models: { [e.model]: { args: e.args } },
  hardware: e.hardware,
});

/** The admin API's answer to GET nodes, parsed; undefined when it did not answer with a list. */
export const parseAdminNodes = (status: number, json: unknown): AdminNode[] | undefined => {
  if (status !== 200) return undefined;
  const parsed = z.array(AdminNodeSchema).safeParse(json);
  return parsed.success ? parsed.data : undefined;
};

/** Whether a listed node is configured as the entry says (address, ports, the one model and its args). */
export const sameNode = (n: AdminNode, e: AdminNodeEntry): boolean => {
  const models = Object.keys(e.models);
  return (
    n.node.host === e.host &&
    n.node.inference_port === e.inference_port &&
    n.node.poc_port === e.poc_port &&
    Object.keys(n.node.models).sort().join() === [...models].sort().join() &&
    models.every((m) => JSON.stringify(n.node.models[m]?.args ?? []) === JSON.stringify(e.models[m].args))
  );
};
