import { z } from 'zod';
import { AdminNodeSchema, type AdminNode } from '../gonka/admin-api.js';

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

/** The admin API's answer to GET /admin/v1/nodes, one summary per node. */
export const summarizeNodes = (body: unknown): MlNodeSummary[] => z.array(AdminNodeSchema).parse(body).map(summarizeNode);
