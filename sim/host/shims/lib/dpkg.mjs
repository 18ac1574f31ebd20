// The dpkg database view of the simulated packages.
export const debArch = (state) => (state.profile.arch === 'aarch64' ? 'arm64' : 'amd64');

export const globToRegExp = (glob) =>
  new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

/** [want, status, abbrev] of a package dpkg knows. */
export const statusOf = (state, name) => {
  const pkg = state.packages[name];
  const held = state.holds.includes(name);
  if (pkg.status === 'rc') return { status: 'deinstall ok config-files', abbrev: 'rc ' };
  return held ? { status: 'hold ok installed', abbrev: 'hi ' } : { status: 'install ok installed', abbrev: 'ii ' };
};

export const describe = (state, name) => state.catalog[name]?.description ?? `${name} package`;

export const fieldsOf = (state, name) => {
  const pkg = state.packages[name];
  const { status, abbrev } = statusOf(state, name);
  const arch = state.catalog[name]?.arch ?? debArch(state);
  return {
    Package: name,
    'binary:Package': name,
    Version: pkg.status === 'rc' ? '' : pkg.version,
    Status: status,
    'db:Status-Abbrev': abbrev,
    'db:Status-Want': status.split(' ')[0],
    'db:Status-Status': status.split(' ').at(-1),
    Architecture: arch,
    'Installed-Size': String(state.catalog[name]?.installed_size ?? 1024),
    Description: describe(state, name),
    binary_summary: describe(state, name),
  };
};

export const formatPackage = (state, name, format) => {
  const fields = fieldsOf(state, name);
  return format
    .replace(/\$\{([^};]+)(?:;(-?\d+))?\}/g, (_, f, width) => {
      const v = fields[f] ?? '';
      if (!width) return v;
      const w = Number(width);
      return w < 0 ? v.padEnd(-w) : v.padStart(w);
    })
    .replace(/\\(n|t|\\)/g, (_, c) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
};

/** Packages matching each pattern; `missing` lists patterns that matched nothing. */
export const matchPackages = (state, patterns) => {
  const known = Object.keys(state.packages).sort();
  if (patterns.length === 0) return { names: known, missing: [] };
  const names = [];
  const missing = [];
  for (const p of patterns) {
    const re = globToRegExp(p);
    const hits = known.filter((n) => re.test(n));
    if (hits.length === 0) missing.push(p);
    names.push(...hits.filter((h) => !names.includes(h)));
  }
  return { names, missing };
};

export const dpkgList = (state, names) => {
  const rows = names.map((n) => {
    const f = fieldsOf(state, n);
    return [f['db:Status-Abbrev'].trim(), n, f.Version || '<none>', f.Architecture, f.Description];
  });
  const w = [0, 1, 2, 3].map((i) => Math.max(14, ...rows.map((r) => r[i].length)));
  return [
    'Desired=Unknown/Install/Remove/Purge/Hold',
    '| Status=Not/Inst/Conf-files/Unpacked/halF-conf/Half-inst/trig-aWait/Trig-pend',
    '|/ Err?=(none)/Reinst-required (Status,Err: uppercase=bad)',
    `||/ ${'Name'.padEnd(w[1])} ${'Version'.padEnd(w[2])} ${'Architecture'.padEnd(w[3])} Description`,
    `+++-${'='.repeat(w[1])}-${'='.repeat(w[2])}-${'='.repeat(w[3])}-${'='.repeat(40)}`,
    ...rows.map((r) => `${r[0].padEnd(3)} ${r[1].padEnd(w[1])} ${r[2].padEnd(w[2])} ${r[3].padEnd(w[3])} ${r[4]}`),
  ].join('\n');
};
