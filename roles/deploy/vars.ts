import { z } from 'zod';
import { deploymentVar } from '../../lib/gonka/deployment.js';
import { RecommendationSchema } from '../../lib/gonka/recommendation-schema.js';

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
  tmkms_key_timeout: seconds,
  /** a Hugging Face token for gated models: passed on stdin, never on a command line */
  hf_token: z.string().min(1).optional(),
  /** gpu-detect's layout: the model whose weights an ML node needs */
  gpu_recommendation: RecommendationSchema.optional(),
  // an ML-only server's own entries in its network node's admin API are made from these (as node-config's are)
  private_ip: z.string().optional(),
  gonka_mlnode_port: z.unknown().optional(),
  gonka_inference_port: z.unknown().optional(),
});

export type DeployVars = z.output<typeof DeployVarsSchema>;

export const hasNetwork = (v: DeployVars): boolean => v.gonka.topology.network;
export const hasMl = (v: DeployVars): boolean => v.gonka.topology.ml;
/** An ML-only server: its ML nodes are driven by another server's api. */
export const mlOnly = (v: DeployVars): boolean => v.gonka.topology.ml && !v.gonka.topology.network;
