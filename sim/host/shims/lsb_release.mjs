#!/usr/bin/env node
// lsb_release -a / -c -s / -r -s / -i -s / -d -s, combined flags allowed (-cs).
import { command, err, out } from './lib/io.mjs';
import { readState } from './lib/state.mjs';

export default command((argv) => {
  const flags = new Set(argv.flatMap((a) => (a.startsWith('--') ? [a.slice(2)[0]] : [...a.slice(1)])));
  const os = readState().profile.os;
  const all = flags.has('a');
  const short = flags.has('s');
  const fields = [
    ['i', 'Distributor ID', os.name],
    ['d', 'Description', `${os.name} ${os.version.replace(/ \(.*\)$/, '')}`],
    ['r', 'Release', os.version_id],
    ['c', 'Codename', os.codename],
  ].filter(([f]) => all || flags.has(f));
  if (all || flags.size === 0) err('No LSB modules are available.');
  if (fields.length) out(fields.map(([, label, value]) => (short ? value : `${label}:\t${value}`)).join('\n'));
});
