#!/usr/bin/env node
// dpkg -l [pattern...], dpkg --print-architecture, dpkg -s package (through dpkg-query's view)
import { command, err, exit, out } from './lib/io.mjs';
import { debArch, dpkgList, matchPackages } from './lib/dpkg.mjs';
import { readState } from './lib/state.mjs';

export default command((argv) => {
  const [action, ...rest] = argv;
  const state = readState();
  if (action === '--print-architecture') {
    out(debArch(state));
  } else if (action === '-l' || action === '--list') {
    const { names, missing } = matchPackages(state, rest);
    if (names.length) out(dpkgList(state, names));
    missing.forEach((p) => err(`dpkg-query: no packages found matching ${p}`));
    exit(missing.length ? 1 : 0);
  } else {
    exit(2, `dpkg: error: only -l and --print-architecture are simulated (got ${action ?? 'nothing'})`);
  }
});
