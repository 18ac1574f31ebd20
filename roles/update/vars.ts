import { z } from 'zod';
import { booleanSchema } from '../../lib/template/boolean.js';
import { UpdatePlanSchema } from './plan.js';

const seconds = z.coerce.number().positive();

/** Variables of the update role (defaults.yml holds their defaults). */
export const UpdateVarsSchema = z.object({
  inventory_hostname: z.string(),
  gonka_deploy_dir: z.string().min(1),
  /** an explicit ML node image (`-e mlnode_image=…`); otherwise data/versions.yml and its overrides */
  mlnode_image: z.string().min(1).optional(),
  gonka_versions_overrides: z.record(z.string(), z.unknown()).default({}),
  /** refuse to move an image to an older version unless this is set */
  allow_downgrade: booleanSchema.default(false),
  update_network_images: booleanSchema.default(true),
  /** an ML-only server's network node (inventory name): its admin and public API calls run there */
  network_node: z.string().min(1).optional(),
  /** an ML-only server publishes its ML node ports on this address only */
  private_ip: z.string().min(1).optional(),
  /** where the network node reaches its admin API and public API (loopback by default) */
  gonka_admin_url: z.string().url(),
  gonka_api_url: z.string().url(),
  /** where the ML host reaches its ML nodes; default: loopback, or private_ip on an ML-only server */
  mlnode_management_url: z.string().url().optional(),
  mlnode_inference_url: z.string().url().optional(),
  /** blocks an update must keep away from the next PoC start */
  update_poc_margin_blocks: z.coerce.number().int().nonnegative(),
  update_window_timeout: seconds,
  update_load_timeout: seconds,
  update_poll_interval: seconds,
  nop_lock_file: z.string().optional(),
  /** the network node's own settings (its gonka_deploy_dir) are its host variables */
  hostvars: z.custom<Record<string, Record<string, unknown> | undefined>>((x) => typeof x === 'object' && x !== null).optional(),
  /** the plan task's result */
  update_plan: UpdatePlanSchema.optional(),
});

export type UpdateVars = z.output<typeof UpdateVarsSchema>;
