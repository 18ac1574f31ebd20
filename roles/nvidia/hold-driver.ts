import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import { forgetGpuFacts } from '../../lib/gpu/gpu-state.js';
import type { NvidiaVars } from './vars.js';

// the packages whose versions must move together: user space, kernel module, Fabric Manager
const DRIVER_PACKAGES = /^(nvidia-(driver|utils|dkms|kernel-common|kernel-source|compute-utils|fabricmanager)-\d+|libnvidia-(compute|nscq)-\d+)/;

const driverPackageState = async (ctx: ModuleContext) => {
  const res = await ctx.exec(`dpkg-query -W -f='\${Package} \${db:Status-Abbrev}\\n' 'nvidia-*' 'libnvidia-*' 2>/dev/null; echo @@holds; apt-mark showhold`);
  const [list = '', holds = ''] = res.stdout.split('@@holds\n');
  const installed = list
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([name, status]) => name && DRIVER_PACKAGES.test(name) && /^[ih]i/.test(status ?? ''))
    .map(([name]) => name);
  return {
    installed,
    held: new Set(
      holds
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    ),
  };
};

const unattendedUpgradesActive = async (ctx: ModuleContext): Promise<boolean> => (await ctx.exec('systemctl is-active --quiet unattended-upgrades')).code === 0;

/** unattended-upgrades must not move the driver: a new user space with the old module loaded breaks CUDA. */
export const holdDriver = async (ctx: ModuleContext, v: NvidiaVars): Promise<ModuleResult> => {
  const { installed, held } = await driverPackageState(ctx);
  const loose = installed.filter((n) => !held.has(n));
  if (loose.length === 0) return { changed: false, msg: installed.length ? `held: ${installed.join(', ')}` : 'no driver package installed yet' };
  if (!v.nvidia_hold_driver) {
    if (!(await unattendedUpgradesActive(ctx))) return { changed: false, msg: `not held (nvidia_hold_driver is false): ${loose.join(', ')}` };
    return {
      changed: false,
      failed: true,
      msg: `unattended-upgrades is active and the driver packages are not held (${loose.join(', ')}): an automatic upgrade will leave the old kernel module loaded under a new user-space driver and CUDA stops. Run apt-mark hold ${loose.join(' ')} (or set nvidia_hold_driver: true), or disable unattended-upgrades`,
    };
  }
  if (ctx.check) return { changed: true, msg: `would apt-mark hold ${loose.join(' ')}` };
  const res = await ctx.exec(`apt-mark hold ${shellJoin(loose)}`);
  forgetGpuFacts(ctx);
  if (res.code !== 0) return { changed: false, failed: true, msg: `apt-mark hold failed: ${res.stderr.trim()}` };
  return { changed: true, msg: `held ${loose.join(', ')}` };
};
