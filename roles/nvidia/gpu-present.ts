import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';

// PCI vendor 0x10de, class 0x03xxxx (display controller): readable before any driver is installed
const SCRIPT = `for d in /sys/bus/pci/devices/*; do
  [ "$(cat "$d/vendor" 2>/dev/null)" = 0x10de ] && case "$(cat "$d/class" 2>/dev/null)" in 0x03*) echo "\${d##*/}";; esac
done; true`;

export const checkGpuPresent = async (ctx: ModuleContext): Promise<ModuleResult> => {
  const res = await ctx.exec(SCRIPT);
  const devices = res.stdout.split('\n').filter(Boolean);
  if (devices.length > 0) return { changed: false, msg: `${devices.length} NVIDIA GPU(s) on the PCI bus`, devices };
  return {
    changed: false,
    failed: true,
    msg: 'no NVIDIA GPU on the PCI bus: a host without GPUs can only be a network node. Put it in the network_nodes group only (prepare then skips nvidia and gpu-detect), or check that the GPUs are seated and visible in `lspci -d 10de:`',
  };
};
