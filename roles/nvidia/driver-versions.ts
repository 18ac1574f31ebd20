import { checkDriverConsistency, type DriverProblemCode } from '../../lib/gpu/driver-check.js';
import { gpuFacts, gpuRequest } from '../../lib/gpu/gpu-state.js';
import type { CodeTask } from '../../lib/roles/role.js';
import type { NvidiaVars } from './vars.js';

/**
 * Kernel module == user space; Fabric Manager major == driver major (NVSwitch only). Holding is the hold
 * task's business (and a deliberate choice when nvidia_hold_driver is false), so it is not repeated here.
 */
export const driverVersions: CodeTask<NvidiaVars> = {
  name: 'Driver versions agree (kernel, user space, Fabric Manager)',
  facts: (v) => [gpuRequest(v)],
  invalidates: [],
  run: async (ctx, v) => {
    const facts = await gpuFacts(ctx, v);
    // in check mode nothing was installed: the planned driver cannot be checked yet
    if (ctx.check && facts.driver.packages.length === 0) return { changed: false, skipped: true, msg: 'driver not installed yet (check mode)' };
    const ignored: DriverProblemCode[] = ['driver-not-held', ...(ctx.check ? (['driver-not-loaded'] as const) : [])];
    const problems = checkDriverConsistency(facts).filter((p) => !ignored.includes(p.code));
    const summary = `kernel ${facts.driver.kernel ?? '-'}, user space ${facts.driver.user_space ?? '-'}, Fabric Manager ${facts.fabric_manager?.version ?? '-'}`;
    if (problems.length === 0) return { changed: false, msg: `driver versions agree: ${summary}` };
    return { changed: false, failed: true, problems, msg: problems.map((p) => `${p.message}. Fix: ${p.fix}`).join('\n') };
  },
};
