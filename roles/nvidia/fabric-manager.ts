import { installedPackages } from '../../lib/facts/builtin/packages.js';
import { systemdUnit } from '../../lib/facts/builtin/systemd-unit.js';
import { request } from '../../lib/facts/fact.js';
import { packageModule } from '../../lib/modules/builtin/package.js';
import { serviceModule } from '../../lib/modules/builtin/service.js';
import { majorVersion } from '../../lib/gpu/compare-versions.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { gpuFacts, gpuRequest } from '../../lib/gpu/gpu-state.js';
import type { CodeTask } from '../../lib/roles/role.js';
import type { NvidiaVars } from './vars.js';

const SERVICE = 'nvidia-fabricmanager';

/*
 * NVSwitch boards (HGX/DGX) need Fabric Manager of exactly the driver's version before CUDA sees the GPUs. The
 * topology is known only once the driver is loaded, so this runs after the reboot. A Fabric Manager of another
 * branch is left to the version check, which names the fix.
 */
const ensureFabricManager = async (ctx: ModuleContext, v: NvidiaVars): Promise<ModuleResult> => {
  const facts = await gpuFacts(ctx, v);
  if (!facts.topology?.nvswitch)
    return { changed: false, skipped: true, msg: facts.topology ? 'no NVSwitch: Fabric Manager not needed' : 'driver not loaded yet: topology unknown' };
  const driver = facts.driver.user_space;
  if (!driver) return { changed: false, skipped: true, msg: 'driver version unknown' };
  const major = majorVersion(driver);
  const fm = facts.fabric_manager;
  if (fm && majorVersion(fm.version) !== major) return { changed: false, msg: `Fabric Manager ${fm.version} is of another branch than driver ${driver}` };
  const pkg = await ctx.call(packageModule, { name: fm ? [fm.name] : [`nvidia-fabricmanager-${major}=${driver}-*`], update_cache: true });
  if (pkg.failed) return { ...pkg, msg: `installing nvidia-fabricmanager-${major}=${driver} failed: ${pkg.msg ?? ''}` };
  if (pkg.changed && ctx.check) return { changed: true, msg: `would install nvidia-fabricmanager-${major} ${driver} and start it` };
  const svc = await ctx.call(serviceModule, { name: SERVICE, state: 'started', enabled: true });
  if (svc.failed) return { ...svc, msg: `${SERVICE} does not start: ${svc.msg ?? ''} (journalctl -u ${SERVICE} says why)` };
  return { changed: pkg.changed || svc.changed, msg: `Fabric Manager ${fm?.version ?? driver} ${svc.changed ? 'started' : 'running'}` };
};

/** Fabric Manager of the driver's version, installed and running, on NVSwitch boards (the package and service modules). */
export const fabricManager: CodeTask<NvidiaVars> = {
  name: 'Fabric Manager on NVSwitch systems',
  facts: (v) => [gpuRequest(v), request(installedPackages, undefined), request(systemdUnit, SERVICE)],
  // the GPU fact and the units depend on the packages: stale after an install too
  invalidates: [{ fact: installedPackages }, { fact: systemdUnit, arg: SERVICE }],
  run: ensureFabricManager,
};
