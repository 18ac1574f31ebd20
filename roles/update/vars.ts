import { z } from 'zod';
import { booleanSchema } from '../../lib/template/boolean.js';
import { UpdatePlanSchema } from './plan.js';
import { StackMoveSchema } from './stack-plan.js';

const seconds = z.coerce.number().positive();

/** Variables of the update role (defaults.yml holds their defaults). */
export const UpdateVarsSchema = z.object({
  inventory_hostname: z.string().describe("set by nop: the host's inventory name"),
  gonka_deploy_dir: z.string().min(1).describe('the directory the Gonka files were rendered into'),
  mlnode_image: z.string().min(1).optional().describe('an explicit ML node image (`-e mlnode_image=…`); otherwise data/versions.yml and its overrides'),
  gonka_versions_overrides: z.record(z.string(), z.unknown()).default({}).describe('keys of data/versions.yml to replace (image tags)'),
  allow_downgrade: booleanSchema.default(false).describe('refuse to move an image to an older version unless this is set'),
  update_network_images: booleanSchema
    .default(true)
    .describe("also move the network node's images (node, api, tmkms...) to data/versions.yml's; false: the ML nodes only"),
  network_node: z.string().min(1).optional().describe("an ML-only server's network node (inventory name): its admin and public API calls run there"),
  private_ip: z.string().min(1).optional().describe('an ML-only server publishes its ML node ports on this address only'),
  gonka_admin_url: z.string().url().describe('where the network node reaches its admin API and public API (loopback by default)'),
  gonka_api_url: z.string().url().describe("where the network node's public API is reached (loopback by default)"),
  mlnode_management_url: z.string().url().optional().describe('where the ML host reaches its ML nodes; default: loopback, or private_ip on an ML-only server'),
  mlnode_inference_url: z
    .string()
    .url()
    .optional()
    .describe("where the ML host reaches its ML nodes' inference API; default: loopback, or private_ip on an ML-only server"),
  update_poc_margin_blocks: z.coerce.number().int().nonnegative().describe('blocks an update must keep away from the next PoC start'),
  update_preferred_wait_blocks: z.coerce
    .number()
    .int()
    .nonnegative()
    .describe(
      'blocks an update waits at most for the preferred window (the last confirmation_poc_safety_window blocks before PoC, no Confirmation PoC there) to open; farther away it runs now in the Inference phase and says so',
    ),
  update_window_timeout: seconds.describe('seconds to wait for a safe window (away from PoC) before the update gives up'),
  update_load_timeout: seconds.describe('seconds an updated ML node may take to load its model'),
  update_poll_interval: seconds.describe('seconds between two looks at an update in progress'),
  update_stack: booleanSchema
    .default(true)
    .describe("move a host deployed with an older stack to today's (new services, settings, the served model) before the image updates"),
  hf_token: z.string().min(1).optional().describe('a Hugging Face token for gated models: passed on stdin, never on a command line'),
  weights_timeout: seconds.describe("seconds: pre-downloading today's model into hf_home before the ML nodes switch to it"),
  nop_lock_file: z
    .string()
    .optional()
    .describe('the day-2 run lock on the machine running nop (default ~/.nop/locks/gonka-day2.lock), shared with `nop cron` runs'),
  hostvars: z
    .custom<Record<string, Record<string, unknown> | undefined>>((x) => typeof x === 'object' && x !== null)
    .optional()
    .describe("set by nop: every host's variables (the network node's own settings, its gonka_deploy_dir, are its host variables)"),
  gpu_recommendation: z
    .looseObject({ image: z.string().optional() })
    .optional()
    .describe("set by the gpu-detect role: the ML node layout for the GPUs; its image is the ML nodes' target"),
  update_plan: UpdatePlanSchema.optional().describe("set by the update role: the plan task's result"),
  stack_move: StackMoveSchema.optional().describe("set by the update role: the stack plan task's result"),
});

export type UpdateVars = z.output<typeof UpdateVarsSchema>;
