import { defineFact } from '../fact.js';

// PCI vendor 0x10de, class 0x03xxxx (display controller): readable before any driver is installed
const SCRIPT = `for d in /sys/bus/pci/devices/*; do
  [ "$(cat "$d/vendor" 2>/dev/null)" = 0x10de ] && case "$(cat "$d/class" 2>/dev/null)" in 0x03*) echo "\${d##*/}";; esac
done; true`;

/** The NVIDIA GPUs on the PCI bus (their addresses), whether or not a driver is installed. */
export const nvidiaPciDevices = defineFact<void, string[]>({
  name: 'nvidia_pci_devices',
  command: () => SCRIPT,
  parse: ({ stdout }, args) => args.map(() => stdout.split('\n').filter(Boolean)),
  key: () => 'nvidia_pci_devices',
});
