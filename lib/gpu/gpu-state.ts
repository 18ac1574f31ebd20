import { gpuState } from '../facts/builtin/gpu.js';
import { request } from '../facts/fact.js';
import type { GpuFacts } from './facts.js';
import type { ModuleContext } from '../modules/module.js';

type Paths = { gonka_deploy_dir: string; hf_home: string };

/** The GPU fact of this host's paths: what the nvidia and gpu-detect tasks declare they read. */
export const gpuRequest = (v: Paths) => request(gpuState, { deployDir: v.gonka_deploy_dir, hfHome: v.hf_home });

/** The host's driver stack, read once and re-read after a task changed it. */
export const gpuFacts = (ctx: ModuleContext, v: Paths): Promise<GpuFacts> => ctx.facts.read(gpuState, gpuRequest(v).arg);

/** The installed driver's branch (570 of nvidia-driver-570-server), if any. */
export const installedBranch = (facts: GpuFacts): number | undefined => {
  const m = /^nvidia-driver-(\d+)/.exec(facts.driver.packages[0]?.name ?? '');
  return m ? Number(m[1]) : undefined;
};

/** A driver package is installed but the running kernel has no (or another) module loaded. */
export const driverNeedsReboot = (facts: GpuFacts): boolean =>
  facts.driver.packages.length > 0 && (facts.nvidia_smi.state === 'no-driver' || facts.nvidia_smi.state === 'version-mismatch');
