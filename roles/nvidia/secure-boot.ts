import { gpuFacts, gpuRequest } from '../../lib/gpu/gpu-state.js';
import type { CodeTask } from '../../lib/roles/role.js';
import type { NvidiaVars } from './vars.js';

/** A DKMS-built module is unsigned: with Secure Boot on and no enrolled key, the kernel refuses to load it. */
export const secureBoot: CodeTask<NvidiaVars> = {
  name: 'Secure Boot lets the driver load',
  check_mode: false,
  facts: (v) => [gpuRequest(v)],
  invalidates: [],
  run: async (ctx, v) => {
    const facts = await gpuFacts(ctx, v);
    if (facts.secure_boot !== true)
      return { changed: false, msg: facts.secure_boot === false ? 'Secure Boot is disabled' : 'not an EFI system with mokutil: nothing to check' };
    if (facts.nvidia_smi.state === 'ok') return { changed: false, msg: 'Secure Boot is enabled and the NVIDIA module loads (its key is enrolled)' };
    if (v.nvidia_allow_secure_boot) return { changed: false, msg: 'Secure Boot is enabled; going on because nvidia_allow_secure_boot is true' };
    return {
      changed: false,
      failed: true,
      msg: 'Secure Boot is enabled: the DKMS-built nvidia kernel module is unsigned and will not load. Disable Secure Boot in the firmware setup, or enroll the DKMS signing key (mokutil --import /var/lib/shim-signed/mok/MOK.der, confirm at the next boot) and set nvidia_allow_secure_boot: true',
    };
  },
};
