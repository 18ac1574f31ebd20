import { z } from 'zod';
import { HttpUrlSchema } from '../../lib/gonka/value-schemas.js';
import { booleanSchema } from '../../lib/template/boolean.js';

const SeedPlanSchema = z.object({
  endpoints: z.object({ SEED_API_URL: z.string(), SEED_NODE_RPC_URL: z.string(), SEED_NODE_P2P_URL: z.string() }),
  chain_id: z.string(),
  /** the p2p.seeds entry the node's init writes for this seed */
  seed_entry: z.string(),
  initialized: z.boolean(),
  /** the node's config.toml already names this seed */
  applied: z.boolean(),
});
export type SeedPlan = z.output<typeof SeedPlanSchema>;

/** Variables of the seeds role (defaults.yml holds their defaults). */
export const SeedsVarsSchema = z.object({
  gonka_deploy_dir: z.string().min(1).describe('the deploy directory on the server'),
  seed_api_url: HttpUrlSchema.describe(
    "the new seed's public API (`-e seed_api_url=http://node3.gonka.ai:8000`): its /chain-rpc/status gives the RPC URL and p2p port",
  ),
  reset_chain_data: booleanSchema
    .default(false)
    .describe(
      'allows stopping the node and removing .inference/data/ and .node_initialized so that it initialises again from the new seed (keys and config/ are kept)',
    ),
  gonka_rpc_url: z.string().url().describe("the node's CometBFT RPC on the server (its /status names the chain the seed must answer for)"),
  gonka_api_url: z.string().url().describe("the node's public API on the server (/v1/epochs/latest: a reset waits for no PoC)"),
  gonka_chain_id: z.string().min(1).optional().describe("the chain the seed must answer for when the node's RPC does not answer (a node that cannot start)"),
  seeds_poll_seconds: z.coerce.number().positive().describe('seconds between two looks at the restarted node'),
  seeds_restart_polls: z.coerce.number().int().positive().describe('looks at the restarted node before the reset is reported as not verified'),
  /** set by the plan task */
  seeds_plan: SeedPlanSchema.optional().describe("set by the seeds role's plan task: the seed's endpoints, the chain id, whether the node is initialised"),
});

export type SeedsVars = z.output<typeof SeedsVarsSchema>;
