import { z } from 'zod';
import { deploymentVar } from '../../lib/gonka/deployment.js';

const seconds = z.coerce.number().int().positive();

/** The variables of the `deploy` role; `gonka` is the deployment the config role computed and rendered. */
export const DeployVarsSchema = z.object({
  inventory_hostname: z.string().min(1),
  /** an ML-only server: the inventory name of the network node whose api drives its ML nodes */
  network_node: z.string().min(1).optional(),
  gonka_deploy_dir: z.string().startsWith('/'),
  hf_home: z.string().startsWith('/'),
  gonka: deploymentVar('is missing: run the config role first, it computes the deployment'),
  sync_timeout: seconds,
  sync_stuck_seconds: seconds,
  sync_poll_seconds: seconds,
  model_load_timeout: seconds,
  model_poll_seconds: seconds,
  weights_timeout: seconds,
  /** a Hugging Face token for gated models: passed in the environment, never on a command line */
  hf_token: z.string().min(1).optional(),
  gpu_recommendation: z.unknown().optional(),
});

export type DeployVars = z.output<typeof DeployVarsSchema>;
