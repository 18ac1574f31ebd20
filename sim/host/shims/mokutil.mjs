#!/usr/bin/env node
// mokutil --sb-state
import { command, exit, out } from './lib/io.mjs';
import { readState } from './lib/state.mjs';

export default command((argv) => {
  const args = argv;
  if (!args.includes('--sb-state')) exit(1, 'mokutil: only --sb-state is simulated');
  out(readState().profile.secure_boot ? 'SecureBoot enabled' : 'SecureBoot disabled');
});
