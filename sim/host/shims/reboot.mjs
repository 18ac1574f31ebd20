#!/usr/bin/env node
// reboot: the simulated machine comes back at once (driver module loaded, reboot-required cleared).
import { boot, syncFiles } from './lib/host.mjs';
import { simRoot, withState } from './lib/state.mjs';

const root = simRoot();
withState((state) => {
  state.reboot.requested += 1;
  boot(state, root);
  syncFiles(state, root);
}, root);
