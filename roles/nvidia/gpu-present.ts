import { nvidiaPciDevices } from '../../lib/facts/builtin/nvidia-pci.js';
import { request } from '../../lib/facts/fact.js';
import type { Precondition } from '../../lib/roles/role.js';
import type { NvidiaVars } from './vars.js';

/** NVIDIA GPUs on the PCI bus, readable before any driver is installed: checked before any host is changed. */
export const gpuPresent: Precondition<NvidiaVars> = {
  name: 'NVIDIA GPU present',
  facts: () => [request(nvidiaPciDevices, undefined)],
  invalidates: [],
  run: async (ctx) => {
    const devices = await ctx.facts.read(nvidiaPciDevices, undefined);
    if (devices.length > 0) return { changed: false, msg: `${devices.length} NVIDIA GPU(s) on the PCI bus`, devices };
    return {
      changed: false,
      failed: true,
      msg: 'no NVIDIA GPU on the PCI bus: a host without GPUs can only be a network node. Put it in the network_nodes group only (prepare then skips nvidia and gpu-detect), or check that the GPUs are seated and visible in `lspci -d 10de:`',
    };
  },
};
