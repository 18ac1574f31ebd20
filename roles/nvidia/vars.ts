import { z } from 'zod';
import { booleanSchema } from '../../lib/template/boolean.js';

export const NvidiaVarsSchema = z.object({
  gonka_deploy_dir: z.string().min(1),
  hf_home: z.string().min(1),
  nvidia_driver_version: z.coerce.number().int().min(470),
  nvidia_allow_secure_boot: booleanSchema,
  nvidia_hold_driver: booleanSchema,
  allow_reboot: booleanSchema,
  reboot_timeout_s: z.number().int().positive(),
  nvidia_cuda_check_image: z.string().min(1),
  nvidia_container_toolkit_key_url: z.string().min(1),
});

export type NvidiaVars = z.output<typeof NvidiaVarsSchema>;
