import { gpuState } from '../../lib/facts/builtin/gpu.js';
import { heldPackages } from '../../lib/facts/builtin/held-packages.js';
import { installedPackages } from '../../lib/facts/builtin/packages.js';
import { systemdUnit } from '../../lib/facts/builtin/systemd-unit.js';
import { request } from '../../lib/facts/fact.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import type { CodeTask } from '../../lib/roles/role.js';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import type { NvidiaVars } from './vars.js';

// the packages whose versions must move together: user space, kernel module, Fabric Manager
const DRIVER_PACKAGES = /^(nvidia-(driver|utils|dkms|kernel-common|kernel-source|compute-utils|fabricmanager)-\d+|libnvidia-(compute|nscq)-\d+)/;

const UNATTENDED = 'unattended-upgrades';

/** unattended-upgrades must not move the driver: a new user space with the old module loaded breaks CUDA. */
const holdDriver = async (ctx: ModuleContext, v: NvidiaVars): Promise<ModuleResult> => {
  const [packages, held] = await Promise.all([ctx.facts.read(installedPackages, undefined), ctx.facts.read(heldPackages, undefined)]);
  const installed = [...packages.keys()].filter((n) => DRIVER_PACKAGES.test(n));
  const loose = installed.filter((n) => !held.has(n));
  if (loose.length === 0) return { changed: false, msg: installed.length ? `held: ${installed.join(', ')}` : 'no driver package installed yet' };
  if (!v.nvidia_hold_driver) {
    if ((await ctx.facts.read(systemdUnit, UNATTENDED)).ActiveState !== 'active')
      return { changed: false, msg: `not held (nvidia_hold_driver is false): ${loose.join(', ')}` };
    return {
      changed: false,
      failed: true,
      msg: `unattended-upgrades is active and the driver packages are not held (${loose.join(', ')}): an automatic upgrade will leave the old kernel module loaded under a new user-space driver and CUDA stops. Run apt-mark hold ${loose.join(' ')} (or set nvidia_hold_driver: true), or disable unattended-upgrades`,
    };
  }
  if (ctx.check) return { changed: true, msg: `would apt-mark hold ${loose.join(' ')}` };
  const res = await ctx.exec(`apt-mark hold ${shellJoin(loose)}`);
  if (res.code !== 0) return { changed: false, failed: true, msg: `apt-mark hold failed: ${res.stderr.trim()}` };
  return { changed: true, msg: `held ${loose.join(', ')}` };
};

/** The hold task, after the driver and again after Fabric Manager: only the holds change. */
export const holdDriverTask = (name: string): CodeTask<NvidiaVars> => ({
  name,
  facts: () => [request(installedPackages, undefined), request(heldPackages, undefined), request(systemdUnit, UNATTENDED)],
  // the GPU fact reports the holds too
  invalidates: [{ fact: heldPackages }, { fact: gpuState }],
  run: holdDriver,
});
