#!/usr/bin/env node
// apt-get update | install | remove | purge | upgrade | autoremove against the simulated archive (state.catalog).
import { abort, command, exit, main, out } from './lib/io.mjs';
import { globToRegExp } from './lib/dpkg.mjs';
import { canStart, refreshDriver, serviceStarted, syncFiles, userSpaceDriver } from './lib/host.mjs';
import { readState, withState } from './lib/state.mjs';

export default command((argv) => {
  const flags = new Set();
  const words = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-o' || a === '-c' || a === '-t') i++;
    else if (a.startsWith('--')) flags.add(a.slice(2));
    else if (a.startsWith('-') && a.length > 1) [...a.slice(1)].forEach((c) => flags.add(c));
    else words.push(a);
  }
  const [command, ...specs] = words;
  const yes = flags.has('y') || flags.has('yes') || flags.has('assume-yes');
  const quiet = flags.has('q') || flags.has('qq') || flags.has('quiet');
  const PREAMBLE = 'Reading package lists...\nBuilding dependency tree...\nReading state information...';

  const fail = (lines) => abort(100, [quiet ? '' : PREAMBLE, ...lines].filter(Boolean).join('\n'));

  const installed = (state, n) => state.packages[n]?.status === 'ii';
  const DRIVER = /^nvidia-driver-\d+/;

  const pickVersion = (state, name, wanted) => {
    const versions = state.catalog[name].versions;
    if (!wanted) return versions.at(-1);
    const re = globToRegExp(wanted);
    return [...versions].reverse().find((v) => re.test(v));
  };

  const plan = (state, requested) => {
    const changes = new Map();
    const errors = [];
    const visit = (name, version) => {
      if (changes.has(name)) return;
      if (installed(state, name) && (!version || state.packages[name].version === version)) return;
      changes.set(name, version);
      for (const dep of state.catalog[name].depends ?? []) {
        if (!state.catalog[dep]) errors.push(`E: Unable to locate package ${dep}`);
        else visit(dep, pickVersion(state, dep));
      }
    };
    for (const spec of requested) {
      const [name, wanted] = spec.split('=');
      if (!state.catalog[name]) {
        errors.push(`E: Unable to locate package ${name}`);
        continue;
      }
      const version = pickVersion(state, name, wanted);
      if (!version) errors.push(`E: Version '${wanted}' for '${name}' was not found`);
      else visit(name, version);
    }
    return { changes, errors };
  };

  const compare = (a, b) => a.localeCompare(b, 'en', { numeric: true });

  const install = (state) => {
    const { changes, errors } = plan(state, specs);
    if (errors.length) fail(errors);
    const lines = quiet ? [] : [PREAMBLE];
    const fresh = [...changes.keys()].filter((n) => !installed(state, n));
    const upgraded = [...changes.keys()].filter((n) => installed(state, n) && compare(changes.get(n), state.packages[n].version) > 0);
    const downgraded = [...changes.keys()].filter((n) => installed(state, n) && compare(changes.get(n), state.packages[n].version) < 0);
    // a new driver branch replaces the installed one (the packages conflict)
    const replaced = fresh.some((n) => DRIVER.test(n))
      ? Object.keys(state.packages).filter((n) => DRIVER.test(n) && installed(state, n) && !changes.has(n))
      : [];
    for (const spec of specs) {
      const name = spec.split('=')[0];
      if (!changes.has(name)) lines.push(`${name} is already the newest version (${state.packages[name].version}).`);
    }
    const heldChanged = [...upgraded, ...downgraded, ...replaced].filter((n) => state.holds.includes(n));
    if (heldChanged.length && !flags.has('allow-change-held-packages')) {
      fail([
        'The following held packages will be changed:',
        `  ${heldChanged.join(' ')}`,
        'E: Held packages were changed and -y was used without --allow-change-held-packages.',
      ]);
    }
    if (downgraded.length && !flags.has('allow-downgrades')) {
      fail([
        'The following packages will be DOWNGRADED:',
        `  ${downgraded.join(' ')}`,
        'E: Packages were downgraded and -y was used without --allow-downgrades.',
      ]);
    }
    if (replaced.length) lines.push('The following packages will be REMOVED:', `  ${replaced.join(' ')}`);
    if (fresh.length) lines.push('The following NEW packages will be installed:', `  ${fresh.join(' ')}`);
    if (upgraded.length) lines.push('The following packages will be upgraded:', `  ${upgraded.join(' ')}`);
    if (downgraded.length) lines.push('The following packages will be DOWNGRADED:', `  ${downgraded.join(' ')}`);
    lines.push(
      `${upgraded.length} upgraded, ${fresh.length} newly installed, ${downgraded.length} downgraded, ${replaced.length} to remove and 0 not upgraded.`,
    );
    if (changes.size && !yes) abort(1, [...lines, 'Do you want to continue? [Y/n] Abort.'].join('\n'));
    const before = userSpaceDriver(state);
    for (const n of replaced) removePackage(state, n, false);
    for (const [name, version] of changes) {
      if (!installed(state, name)) lines.push(`Selecting previously unselected package ${name}.`, `Unpacking ${name} (${version}) ...`);
      state.packages[name] = { version, status: 'ii' };
    }
    for (const [name, version] of changes) {
      lines.push(`Setting up ${name} (${version}) ...`);
      for (const svc of state.catalog[name].services ?? []) {
        state.services[svc.name] ??= { active: false, enabled: false };
        const unit = state.services[svc.name];
        unit.enabled = unit.enabled || svc.enable !== false;
        const starts = !unit.active && svc.start !== false && canStart(state, svc.name);
        unit.active = unit.active || starts;
        if (starts) serviceStarted(state, svc.name);
      }
    }
    refreshDriver(state, before);
    if (state.reboot.required) lines.push('*** System restart required ***');
    return lines;
  };

  const removePackage = (state, name, purge) => {
    for (const svc of state.catalog[name]?.services ?? []) delete state.services[svc.name];
    if (purge) delete state.packages[name];
    else state.packages[name] = { ...state.packages[name], status: 'rc' };
  };

  const remove = (state, purge) => {
    const lines = quiet ? [] : [PREAMBLE];
    const unknown = specs.filter((s) => !state.catalog[s] && !state.packages[s]);
    if (unknown.length) fail(unknown.map((u) => `E: Unable to locate package ${u}`));
    const targets = specs.filter((s) => installed(state, s) || (purge && state.packages[s]));
    specs.filter((s) => !targets.includes(s)).forEach((s) => lines.push(`Package '${s}' is not installed, so not removed`));
    const held = targets.filter((t) => state.holds.includes(t));
    if (held.length && !flags.has('allow-change-held-packages')) {
      fail([
        'The following held packages will be changed:',
        `  ${held.join(' ')}`,
        'E: Held packages were changed and -y was used without --allow-change-held-packages.',
      ]);
    }
    if (targets.length) lines.push('The following packages will be REMOVED:', `  ${targets.map((t) => (purge ? `${t}*` : t)).join(' ')}`);
    lines.push(`0 upgraded, 0 newly installed, ${targets.length} to remove and 0 not upgraded.`);
    if (targets.length && !yes) abort(1, [...lines, 'Do you want to continue? [Y/n] Abort.'].join('\n'));
    const before = userSpaceDriver(state);
    for (const t of targets) {
      lines.push(`Removing ${t} (${state.packages[t].version}) ...`);
      removePackage(state, t, purge);
    }
    refreshDriver(state, before);
    return lines;
  };

  const upgradeAll = (state) => {
    const candidates = Object.keys(state.packages).filter(
      (n) => installed(state, n) && state.catalog[n] && !state.holds.includes(n) && compare(state.catalog[n].versions.at(-1), state.packages[n].version) > 0,
    );
    specs.splice(0, specs.length, ...candidates);
    return install(state);
  };

  const update = (state) => {
    state.apt.updated = (state.apt.updated ?? 0) + 1;
    const codename = state.profile.os.codename;
    return [
      `Hit:1 http://archive.ubuntu.com/ubuntu ${codename} InRelease`,
      `Hit:2 http://archive.ubuntu.com/ubuntu ${codename}-updates InRelease`,
      `Hit:3 http://security.ubuntu.com/ubuntu ${codename}-security InRelease`,
      'Reading package lists...',
    ];
  };

  const COMMANDS = {
    update,
    install,
    remove: (s) => remove(s, flags.has('purge')),
    purge: (s) => remove(s, true),
    upgrade: upgradeAll,
    'dist-upgrade': upgradeAll,
    autoremove: () => [PREAMBLE, '0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.'],
    clean: () => [],
  };

  // -s and its synonyms: what the command would do, as Inst/Remv lines, and the host left as it was
  const SIMULATE = ['s', 'simulate', 'dry-run', 'just-print', 'no-act', 'recon'].some((f) => flags.has(f));

  const simulation = (state) => {
    const before = structuredClone(state.packages);
    COMMANDS[command](state);
    const release = `Ubuntu:${state.profile.os.version_id}/${state.profile.os.codename} [amd64]`;
    const lines = ['NOTE: This is only a simulation!', '      apt-get needs root privileges for real execution.'];
    for (const [name, pkg] of Object.entries(state.packages)) {
      const old = before[name]?.status === 'ii' ? before[name].version : undefined;
      if (pkg.status === 'ii' && old !== pkg.version) lines.push(`Inst ${name}${old ? ` [${old}]` : ''} (${pkg.version} ${release})`);
      if (pkg.status !== 'ii' && old) lines.push(`Remv ${name} [${old}]`);
    }
    for (const [name, pkg] of Object.entries(before)) if (pkg.status === 'ii' && !state.packages[name]) lines.push(`Remv ${name} [${pkg.version}]`);
    return lines;
  };

  if (!COMMANDS[command]) exit(100, `E: Invalid operation ${command ?? ''}`);
  main(() => {
    if (SIMULATE) {
      out(simulation(readState()).join('\n'));
      return;
    }
    const lines = withState((state) => {
      const result = COMMANDS[command](state);
      syncFiles(state);
      return result;
    });
    if (!flags.has('qq')) out(lines.join('\n'));
  });
});
