import { installedPackages } from '../../lib/facts/builtin/packages.js';
import { systemFacts } from '../../lib/facts/builtin/system.js';
import { request } from '../../lib/facts/fact.js';
import { gpuFacts, gpuRequest, installedBranch } from '../../lib/gpu/gpu-state.js';
import { packageModule } from '../../lib/modules/builtin/package.js';
import type { CodeTask } from '../../lib/roles/role.js';
import { wantedDriver } from './driver-branch.js';
import type { NvidiaVars } from './vars.js';

/**
 * Kernel headers for the running kernel (DKMS builds the module against them) and the server driver: the package
 * module, with names that depend on the kernel and on the driver already there.
 */
export const installDriver: CodeTask<NvidiaVars> = {
  name: 'Kernel headers and NVIDIA driver',
  facts: (v) => [gpuRequest(v), request(systemFacts, undefined), request(installedPackages, undefined)],
  // the GPU fact depends on the packages: it is stale after an install too
  invalidates: [{ fact: installedPackages }],
  run: async (ctx, v) => {
    const [facts, system] = await Promise.all([gpuFacts(ctx, v), ctx.facts.read(systemFacts, undefined)]);
    const branch = installedBranch(facts);
    const wanted = wantedDriver(v);
    // a newer branch already installed (Blackwell Ultra boards need 580) is kept: a downgrade would break them; a branch
    // change of a running, held driver (a reboot, Fabric Manager with it) is made only when the operator names the branch
    const keep = branch !== undefined && (branch >= wanted.branch || !wanted.explicit);
    const names = [`linux-headers-${system.kernel}`, ...(keep ? [] : [`nvidia-driver-${wanted.branch}-server`])];
    const res = await ctx.call(packageModule, { name: names, state: 'present', update_cache: true });
    if (res.failed) return { ...res, msg: `installing ${names.join(' ')} failed: ${res.msg ?? ''}` };
    const older = keep && branch! < wanted.branch ? ` (${wanted.why} needs ${wanted.branch}: set nvidia_driver_version: ${wanted.branch} to upgrade)` : '';
    const kept = keep
      ? `driver ${facts.driver.packages[0].name} ${facts.driver.packages[0].version} kept${older}`
      : `nvidia-driver-${wanted.branch}-server (${wanted.why})`;
    return {
      ...res,
      msg: res.changed ? `${ctx.check ? 'would install' : 'installed'} ${res.packages as string[]} (${wanted.why})` : `${kept}, headers present`,
    };
  },
};
