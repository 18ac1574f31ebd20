import { z } from 'zod';
import { ModelOverrideSchema } from '../../lib/gonka/catalog-recommendation.js';
import { booleanSchema } from '../../lib/template/boolean.js';

export const NvidiaVarsSchema = z.object({
  gonka_deploy_dir: z.string().min(1).describe('the directory the Gonka files are rendered into'),
  hf_home: z.string().min(1).describe('model weights directory (HF_HOME), mounted into every ML node'),
  nvidia_driver_version: z
    .union([z.literal('auto'), z.coerce.number().int().min(470)])
    .describe(
      "driver branch installed when none (or an older one) is present; a newer installed branch is kept. auto: the branch the ML node image needs (data/model-catalog.yml: gonka_model's, else the highest of the catalog's models), installed where no driver is; an installed older branch is kept and named",
    ),
  gpu_sizing: z.enum(['chain', 'legacy']).describe("gpu-detect's sizing (see gpu-detect): legacy's Qwen images run on driver 570"),
  gonka_model: ModelOverrideSchema.describe("the operator's PoC model (see gpu-detect): auto installs the driver its image needs"),
  nvidia_allow_secure_boot: booleanSchema.describe('Secure Boot with an enrolled DKMS key lets the module load: say so to go on'),
  nvidia_hold_driver: booleanSchema.describe('hold the driver packages so unattended-upgrades cannot split kernel module and user space'),
  allow_reboot: booleanSchema.describe('reboot the host when a new driver needs it (otherwise the reboot is left to the operator, and listed)'),
  reboot_timeout_s: z.number().int().positive().describe('seconds to wait for the host to come back after a reboot'),
  nvidia_cuda_check_image: z.string().min(1).describe('the CUDA image a container GPU check runs'),
  nvidia_container_toolkit_key_url: z.string().min(1).describe("the NVIDIA container toolkit's apt signing key"),
});

export type NvidiaVars = z.output<typeof NvidiaVarsSchema>;
