#!/usr/bin/env node
// modinfo: knows only the nvidia module, whose file exists once DKMS built it for the running kernel.
import { command, exit, out } from './lib/io.mjs';
import { readState } from './lib/state.mjs';

export default command((argv) => {
  const args = argv;
  const state = readState();
  const fi = args.indexOf('-F');
  const field = fi >= 0 ? args[fi + 1] : undefined;
  const name = args.filter((a, i) => !a.startsWith('-') && !(fi >= 0 && i === fi + 1)).at(-1);
  const version = state.driver.module_on_disk;
  if (name !== 'nvidia' || !version) exit(1, `modinfo: ERROR: Module ${name ?? ''} not found.`);

  const info = {
    filename: `/lib/modules/${state.profile.os.kernel}/updates/dkms/nvidia.ko.zst`,
    import_ns: 'DMA_BUF',
    alias: 'pci:v000010DEd*sv*sd*bc03sc02i00*',
    version,
    supported: 'external',
    license: 'Dual MIT/GPL',
    firmware: `nvidia/${version}/gsp_tu10x.bin`,
    srcversion: 'B0A4E6C4F5A0B3F1D2C9E8A',
    depends: '',
    retpoline: 'Y',
    name: 'nvidia',
    vermagic: `${state.profile.os.kernel} SMP preempt mod_unload modversions `,
  };
  if (field) {
    if (info[field] !== undefined) out(info[field]);
  } else {
    out(
      Object.entries(info)
        .map(([k, v]) => `${`${k}:`.padEnd(16)}${v}`)
        .join('\n'),
    );
  }
});
