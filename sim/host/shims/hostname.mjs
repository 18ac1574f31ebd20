#!/usr/bin/env node
// hostname: the profile's host name.
import { out } from './lib/io.mjs';
import { readState } from './lib/state.mjs';

out(readState().profile.hostname);
