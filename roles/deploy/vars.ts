import { z } from 'zod';
import { deploymentVar } from '../../lib/gonka/deployment.js';
import { RecommendationSchema } from '../../lib/gonka/recommendation-schema.js';

const seconds = z.coerce.number().int().positive();
/** between two polls: a fraction of a second is allowed, as update_poll_interval */
const interval = z.coerce.number().positive();

/** The variables of the `deploy` role; `gonka` is the deployment the config role computed and rendered. */
export const DeployVarsSchema = z.object({
  inventory_hostname: z.string().min(1).describe("set by nop: the host's inventory name"),
  network_node: z.string().min(1).optional().describe('an ML-only server: the inventory name of the network node whose api drives its ML nodes'),
  gonka_deploy_dir: z.string().startsWith('/').describe('the directory the Gonka files are rendered into'),
  hf_home: z.string().startsWith('/').describe('model weights directory (HF_HOME), mounted into every ML node'),
  gonka: deploymentVar('is missing: run the config role first, it computes the deployment').describe(
    'set by the config role: the deployment it computed and rendered',
  ),
  sync_timeout: seconds.describe('seconds: the whole chain sync'),
  sync_stuck_seconds: seconds.describe('seconds a height may stand still before the sync is diagnosed'),
  sync_poll_seconds: interval.describe('seconds between sync checks'),
  model_load_timeout: seconds.describe('seconds for every ML node to answer /api/v1/state and its inference /health (large models load for ~20 min)'),
  model_poll_seconds: interval.describe('seconds between ML node checks'),
  weights_timeout: seconds.describe('seconds: downloading the model weights into hf_home'),
  tmkms_key_timeout: seconds.describe('seconds for tmkms to write the consensus key'),
  hf_token: z.string().min(1).optional().describe('a Hugging Face token for gated models: passed on stdin, never on a command line'),
  gpu_recommendation: RecommendationSchema.optional().describe('set by the gpu-detect role: the ML node layout, and the model whose weights an ML node needs'),
  // an ML-only server's own entries in its network node's admin API are made from these (as node-config's are)
  private_ip: z.string().optional().describe("an ML-only server's private address, which its network node reaches it on"),
  gonka_mlnode_port: z.unknown().optional().describe("the ML node's port, as node-config lists it"),
  gonka_inference_port: z.unknown().optional().describe("the ML node's inference port, as node-config lists it"),
});

export type DeployVars = z.output<typeof DeployVarsSchema>;

export const hasNetwork = (v: DeployVars): boolean => v.gonka.topology.network;
export const hasMl = (v: DeployVars): boolean => v.gonka.topology.ml;
/** An ML-only server: its ML nodes are driven by another server's api. */
export const mlOnly = (v: DeployVars): boolean => v.gonka.topology.ml && !v.gonka.topology.network;
