import { z } from 'zod';

export const PreflightVarsSchema = z.object({
  gonka_deploy_dir: z.string().min(1),
  hf_home: z.string().min(1),
  gonka_network: z.enum(['mainnet', 'testnet']),
  preflight_ports: z.array(z.number().int().min(1).max(65535)),
});

export type PreflightVars = z.output<typeof PreflightVarsSchema>;
