import { systemFacts } from '../../lib/facts/builtin/system.js';
import { packageModule } from '../../lib/modules/builtin/package.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { forgetGpuFacts, gpuFacts, installedBranch } from '../../lib/gpu/gpu-state.js';
import type { NvidiaVars } from './vars.js';

/** Kernel headers for the running kernel (DKMS builds the module against them) and the server driver. */
export const installDriver = async (ctx: ModuleContext, v: NvidiaVars): Promise<ModuleResult> => {
  const [facts, system] = await Promise.all([gpuFacts(ctx, v), ctx.facts.read(systemFacts, undefined)]);
  const branch = installedBranch(facts);
  // a newer branch already installed (Blackwell Ultra boards need 580) is kept: a downgrade would break them
  const keep = branch !== undefined && branch >= v.nvidia_driver_version;
  const names = [`linux-headers-${system.kernel}`, ...(keep ? [] : [`nvidia-driver-${v.nvidia_driver_version}-server`])];
  const res = await ctx.call(packageModule, { name: names, state: 'present', update_cache: true });
  if (res.changed && !ctx.check) forgetGpuFacts(ctx);
  if (res.failed) return { ...res, msg: `installing ${names.join(' ')} failed: ${res.msg ?? ''}` };
  const kept = keep ? `driver ${facts.driver.packages[0].name} ${facts.driver.packages[0].version} kept` : `nvidia-driver-${v.nvidia_driver_version}-server`;
  return { ...res, msg: res.changed ? `${ctx.check ? 'would install' : 'installed'} ${res.packages as string[]}` : `${kept}, headers present` };
};
