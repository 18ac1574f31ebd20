#!/usr/bin/env node
// uname: the profile's kernel and architecture (roles install linux-headers-$(uname -r)).
import { command, out } from './lib/io.mjs';
import { readState } from './lib/state.mjs';

export default command((argv) => {
  const { profile } = readState();
  const flags = new Set(argv.flatMap((a) => (a === '--all' ? ['a'] : a.startsWith('-') ? [...a.slice(1)] : [])));
  const fields = [
    ['s', 'Linux'],
    ['n', profile.hostname],
    ['r', profile.os.kernel],
    ['v', '#136-Ubuntu SMP Wed Nov 6 10:38:22 UTC 2024'],
    ['m', profile.arch],
    ['p', profile.arch],
    ['i', profile.arch],
    ['o', 'GNU/Linux'],
  ];
  const wanted = flags.size === 0 ? ['s'] : flags.has('a') ? fields.map(([f]) => f) : [...flags];
  out(
    fields
      .filter(([f]) => wanted.includes(f))
      .map(([, v]) => v)
      .join(' '),
  );
});
