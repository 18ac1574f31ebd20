import { z } from 'zod';
import { booleanSchema } from '../../lib/template/boolean.js';

export const PreflightVarsSchema = z.object({
  gonka_deploy_dir: z.string().min(1).describe('the directory the Gonka files are rendered into (its disk needs room for the chain data)'),
  hf_home: z.string().min(1).describe('model weights directory (HF_HOME): its disk needs room for the weights'),
  gonka_network: z.enum(['mainnet', 'testnet']).describe('the Gonka network: data/networks/NAME.yml'),
  preflight_min_free_gb: z.coerce
    .number()
    .nonnegative()
    .optional()
    .describe(
      'GB that must be free for the deploy dir and HF_HOME before anything is changed; default: 250 on mainnet, 133 on testnet (chain data and weights). Lower it for a small model on purpose; 0 skips the check',
    ),
  group_names: z.array(z.string()).default([]).describe("set by nop: the host's groups (the CPU check is for network_nodes)"),
  preflight_allow_cpu_without_adx: booleanSchema
    .default(false)
    .describe(
      "let a network node's CPU lack ADX: the chain's upgrade binaries from v0.2.16-post1 on crash with SIGILL without it (pre-Broadwell Intel, pre-Zen AMD, qemu64/kvm64 VMs). Only for operators who build portable binaries themselves",
    ),
  preflight_ports: z
    .array(z.number().int().min(1).max(65535))
    .describe('host ports the Gonka containers publish, checked free: p2p, proxy, rpc, PoC callback, admin, ML node API, inference'),
});

export type PreflightVars = z.output<typeof PreflightVarsSchema>;
