import { z } from 'zod';
import { OperatorVarsShape } from '../../lib/gonka/operator-account.js';
import { BOOTSTRAP_STEPS } from './schedule.js';

/** Variables of the bootstrap-model role (defaults.yml holds their defaults). */
export const BootstrapVarsSchema = z.object({
  ...OperatorVarsShape,
  bootstrap_model: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a model id such as zai-org/GLM-5.3-Flash')
    .describe('the new governance model to bootstrap (`-e bootstrap_model=zai-org/GLM-5.3-Flash`)'),
  bootstrap_step: z
    .enum(BOOTSTRAP_STEPS, { error: () => `must be one of ${BOOTSTRAP_STEPS.join(', ')}` })
    .describe(
      'plan (show the heights and what is due), intent (declare + download, before the snapshot), switch (in the deploy window), verify (after the PoC)',
    ),
  bootstrap_node_id: z.string().min(1).optional().describe("the ML node (admin API id) that switches to the model; default: the api's first node"),
  bootstrap_model_args: z.array(z.string()).default([]).describe('the vLLM args of the new model on the node (upstream models/node-config-<model>-<GPU>.json)'),
  bootstrap_hf_commit: z.string().min(1).optional().describe("the weights' pinned revision; default: /v1/governance/models' hf_commit"),
  bootstrap_download_timeout: z.coerce.number().positive().describe('seconds the weights may take to download'),
  bootstrap_poll_interval: z.coerce.number().positive().describe('seconds between two looks at a download'),
  gonka_api_url: z.string().url().describe("where the network node's public API is reached (loopback by default)"),
  gonka_rpc_url: z.string().url().describe("the network node's chain RPC (loopback by default): the pre-eligibility event"),
  gonka_admin_url: z.string().url().describe('where the network node reaches its admin API (loopback by default)'),
  mlnode_management_url: z.string().url().describe("the ML node's management API (weights download), loopback by default"),
  /** set by the schedule task */
  bootstrap_todo: z
    .object({ intent: z.boolean(), download: z.boolean(), hf_commit: z.string().optional(), node: z.record(z.string(), z.unknown()).optional() })
    .optional()
    .describe('set by nop: what the step still has to do'),
});

export type BootstrapVars = z.output<typeof BootstrapVarsSchema>;
