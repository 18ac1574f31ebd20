#!/usr/bin/env node
// hostname: the profile's host name.
import { command, out } from './lib/io.mjs';
import { readState } from './lib/state.mjs';

export default command(() => {
  out(readState().profile.hostname);
});
