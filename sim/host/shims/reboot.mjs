#!/usr/bin/env node
// reboot: the simulated machine comes back at once (driver module loaded, reboot-required cleared).
import { boot, syncFiles } from './lib/host.mjs';
import { withState } from './lib/state.mjs';
import { command } from './lib/io.mjs';

export default command(() => {
  withState((state) => {
    state.reboot.requested += 1;
    boot(state);
    syncFiles(state);
  });
});
