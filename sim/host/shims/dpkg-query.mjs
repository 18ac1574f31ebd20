#!/usr/bin/env node
// dpkg-query -W [-f=FORMAT] [pattern...], -l [pattern...], -s package
import { command, err, exit, out, raw } from './lib/io.mjs';
import { dpkgList, fieldsOf, formatPackage, matchPackages } from './lib/dpkg.mjs';
import { readState } from './lib/state.mjs';

export default command((argv) => {
  const args = argv;
  const state = readState();
  let mode;
  let format = '${binary:Package}\t${Version}\n';
  const patterns = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-W' || a === '--show') mode = 'show';
    else if (a === '-l' || a === '--list') mode = 'list';
    else if (a === '-s' || a === '--status') mode = 'status';
    else if (a === '-f' || a === '--showformat') format = args[++i];
    else if (a.startsWith('-f=') || a.startsWith('--showformat=')) format = a.slice(a.indexOf('=') + 1);
    else if (a.startsWith('-f')) format = a.slice(2);
    else patterns.push(a);
  }
  if (!mode) exit(2, 'dpkg-query: error: need an action option\n\nType dpkg-query --help for help about querying packages.');

  const { names, missing } = matchPackages(state, patterns);
  if (mode === 'show') {
    raw(names.map((n) => formatPackage(state, n, format)).join(''));
  } else if (mode === 'list') {
    if (names.length) out(dpkgList(state, names));
  } else {
    for (const p of patterns) {
      const pkg = state.packages[p];
      if (!pkg || pkg.status !== 'ii') continue;
      const f = fieldsOf(state, p);
      out(`Package: ${p}\nStatus: ${f.Status}\nPriority: optional\nArchitecture: ${f.Architecture}\nVersion: ${f.Version}\nDescription: ${f.Description}\n`);
    }
    const absent = patterns.filter((p) => state.packages[p]?.status !== 'ii');
    absent.forEach((p) => err(`dpkg-query: package '${p}' is not installed and no information is available`));
    if (absent.length) exit(1, 'Use dpkg --info (= dpkg-deb --info) to examine archive files.');
  }
  missing.forEach((p) => err(`dpkg-query: no packages found matching ${p}`));
  exit(missing.length ? 1 : 0);
});
