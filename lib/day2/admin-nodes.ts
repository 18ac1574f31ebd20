import { z } from 'zod';

/** One entry of `GET /admin/v1/nodes` (fields nop reads; the api may send more). */
export const AdminNodeSchema = z
  .object({
    node: z.object({ id: z.string(), host: z.string().optional(), models: z.record(z.string(), z.unknown()).optional() }).loose(),
    state: z
      .object({
        intended_status: z.string().optional(),
        current_status: z.string().optional(),
        poc_current_status: z.string().optional(),
        failure_reason: z.string().optional(),
        admin_state: z.object({ enabled: z.boolean(), epoch: z.number().optional() }).loose().optional(),
        epoch_ml_nodes: z
          .record(z.string(), z.object({ poc_weight: z.number().optional(), timeslot_allocation: z.array(z.boolean()).optional() }).loose())
          .optional(),
      })
      .loose(),
  })
  .loose();
export type AdminNode = z.infer<typeof AdminNodeSchema>;

export interface MlNodeSummary {
  id: string;
  status: string;
  intended: string;
  enabled: boolean;
  model: string;
  pocWeight: number;
  /** timeslot allocation of this epoch, e.g. [true, false] */
  timeslots: boolean[];
  failure: string;
}

export const summarizeNode = (n: AdminNode): MlNodeSummary => {
  const epochNodes = Object.values(n.state.epoch_ml_nodes ?? {});
  return {
    id: n.node.id,
    status: n.state.current_status ?? 'UNKNOWN',
    intended: n.state.intended_status ?? 'UNKNOWN',
    enabled: n.state.admin_state?.enabled ?? true,
    model: Object.keys(n.node.models ?? {})[0] ?? '',
    pocWeight: epochNodes.reduce((sum, e) => sum + (e.poc_weight ?? 0), 0),
    timeslots: epochNodes[0]?.timeslot_allocation ?? [],
    failure: n.state.failure_reason ?? '',
  };
};

export const parseAdminNodes = (body: unknown): MlNodeSummary[] => z.array(AdminNodeSchema).parse(body).map(summarizeNode);
