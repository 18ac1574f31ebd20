import { z } from 'zod';
import { booleanSchema } from '../../lib/template/boolean.js';

const PlanSchema = z.object({
  address: z.string(),
  node_ids: z.array(z.string()),
  start_epoch: z.number(),
});
export type DecommissionPlan = z.output<typeof PlanSchema>;

/** Variables of the decommission role (defaults.yml holds their defaults). */
export const DecommissionVarsSchema = z.object({
  inventory_hostname: z.string().describe("set by nop: the host's inventory name"),
  decommission_stage: z
    .enum(['retire', 'stop_ml', 'stop_network'])
    .describe('set by playbooks/decommission.yml: retire (network node: disable ML nodes, wait for them to leave), stop_ml (ML servers), stop_network'),
  gonka_deploy_dir: z.string().min(1).describe('the deploy directory on the server'),
  gonka_admin_url: z.string().url().describe('where the network node reaches its admin API (loopback)'),
  gonka_api_url: z.string().url().describe('where the network node reaches its public API (/v1/epochs/…)'),
  account_pubkey: z.string().min(1).optional().describe("the cold account's public key (base64): the participant whose ML nodes leave"),
  network_node: z
    .string()
    .min(1)
    .optional()
    .describe("an ML-only server's network node (inventory name): its ML servers stop once that node's ML nodes are out"),
  decommission: booleanSchema.default(false).describe('allows disabling every ML node and stopping the ML servers and the network node'),
  backup_taken: booleanSchema
    .default(false)
    .describe('confirms the node identity is backed up (playbooks/backup.yml): the decommission refuses to start without it'),
  backup_dir: z.string().min(1).describe('where backup.yml writes its archives on the control machine: the newest of this host is named in the plan'),
  decommission_wait_epochs: z.coerce
    .number()
    .int()
    .min(0)
    .describe('epochs past the current one the run waits for the ML nodes to leave the participants; 0: refuse at once while one is scheduled'),
  decommission_poll_seconds: z.coerce.number().positive().describe('seconds between two looks at the epoch while waiting'),
  ansible_check_mode: z.boolean().default(false).describe('set by nop: whether the run is in check mode'),
  hostvars: z
    .custom<Record<string, Record<string, unknown> | undefined>>((x) => typeof x === 'object' && x !== null)
    .optional()
    .describe("set by nop: every host's variables (an ML server reads its network node's decommission state)"),
  decommission_plan: PlanSchema.optional().describe('set by the plan task'),
  decommission_running: z.array(z.string()).default([]).describe("set by the decommission role: this stage's services running on the host"),
  decommission_ml_out: z.boolean().default(false).describe("set by the wait task: the epoch's participants no longer hold this node's ML nodes"),
});

export type DecommissionVars = z.output<typeof DecommissionVarsSchema>;
