#!/usr/bin/env node
// systemctl: units are the services of installed packages plus unit files under /etc/systemd/system.
import { existsSync, readdirSync } from 'node:fs';
import { abort, command, exit, main, out, table } from './lib/io.mjs';
import { boot, canStart, serviceStarted, syncFiles } from './lib/host.mjs';
import { withState } from './lib/state.mjs';

export default command((argv) => {
  const props = [];
  const flags = new Set();
  const words = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-p' || a === '--property') props.push(...argv[++i].split(','));
    else if (a.startsWith('--property=')) props.push(...a.slice(11).split(','));
    else if (a.startsWith('-')) flags.add(a.replace(/^-+/, '').split('=')[0]);
    else words.push(a);
  }
  const [command, ...rawUnits] = words;
  const unitName = (u) => u.replace(/\.service$/, '');
  const units = rawUnits.map(unitName);

  const unitFileDir = '/etc/systemd/system';
  const unitFiles = () =>
    existsSync(unitFileDir)
      ? readdirSync(unitFileDir)
          .filter((f) => f.endsWith('.service'))
          .map(unitName)
      : [];

  /** The unit's record, created for a unit file the daemon has loaded. */
  const unitOf = (state, name) => {
    if (state.services[name]) return state.services[name];
    if (state.systemd.loaded.includes(name) && unitFiles().includes(name)) {
      state.services[name] = { active: false, enabled: false };
      return state.services[name];
    }
    return undefined;
  };

  const notFound = (verb, name) => abort(5, `Failed to ${verb} ${name}.service: Unit ${name}.service not found.`);

  const startUnit = (state, name) => {
    const unit = unitOf(state, name) ?? notFound('start', name);
    if (!canStart(state, name)) {
      unit.active = false;
      abort(
        1,
        `Job for ${name}.service failed because the control process exited with error code.\nSee "systemctl status ${name}.service" and "journalctl -xeu ${name}.service" for details.`,
      );
    }
    unit.active = true;
    serviceStarted(state, name);
  };

  const listUnitFiles = (state) => {
    const names = [...new Set([...Object.keys(state.services), ...unitFiles()])].sort();
    const rows = names.map((n) => [`${n}.service`, state.services[n]?.enabled ? 'enabled' : 'disabled', 'enabled']);
    const body = flags.has('no-legend') ? rows : [['UNIT FILE', 'STATE', 'VENDOR PRESET'], ...rows];
    const text = body.length ? table(body, 1) : '';
    return flags.has('no-legend') ? text : `${text}\n\n${rows.length} unit files listed.`;
  };

  const COMMANDS = {
    'is-active': (state) => {
      const states = units.map((u) => (unitOf(state, u)?.active ? 'active' : 'inactive'));
      return { text: flags.has('quiet') ? '' : states.join('\n'), code: states.every((s) => s === 'active') ? 0 : 3 };
    },
    'is-enabled': (state) => {
      const missing = units.find((u) => !unitOf(state, u));
      if (missing) abort(1, `Failed to get unit file state for ${missing}.service: No such file or directory`);
      const states = units.map((u) => (state.services[u].enabled ? 'enabled' : 'disabled'));
      return { text: flags.has('quiet') ? '' : states.join('\n'), code: states.every((s) => s === 'enabled') ? 0 : 1 };
    },
    start: (state) => units.forEach((u) => startUnit(state, u)),
    restart: (state) => units.forEach((u) => startUnit(state, u)),
    'try-restart': (state) => units.forEach((u) => unitOf(state, u)?.active && startUnit(state, u)),
    reload: (state) => units.forEach((u) => startUnit(state, u)),
    stop: (state) =>
      units.forEach((u) => {
        (unitOf(state, u) ?? notFound('stop', u)).active = false;
      }),
    enable: (state) =>
      units.forEach((u) => {
        const unit = unitOf(state, u) ?? abort(1, `Failed to enable unit: Unit file ${u}.service does not exist.`);
        unit.enabled = true;
        if (flags.has('now')) startUnit(state, u);
      }),
    disable: (state) =>
      units.forEach((u) => {
        const unit = unitOf(state, u) ?? abort(1, `Failed to disable unit: Unit file ${u}.service does not exist.`);
        unit.enabled = false;
        if (flags.has('now')) unit.active = false;
      }),
    'daemon-reload': (state) => {
      state.systemd.loaded = unitFiles();
      state.systemd.reloads += 1;
    },
    'list-unit-files': (state) => ({ text: listUnitFiles(state), code: 0 }),
    // every unit named, in order, a blank line between units; the properties in systemd's own order whatever -p's order
    show: (state) => {
      const block = (u) => {
        const unit = unitOf(state, u);
        const values = {
          Id: `${u}.service`,
          LoadState: unit ? 'loaded' : 'not-found',
          ActiveState: unit?.active ? 'active' : 'inactive',
          SubState: unit?.active ? 'running' : 'dead',
          UnitFileState: unit ? (unit.enabled ? 'enabled' : 'disabled') : '',
        };
        const wanted = props.length ? Object.keys(values).filter((p) => props.includes(p)) : Object.keys(values);
        return wanted.map((p) => (flags.has('value') ? values[p] : `${p}=${values[p]}`)).join('\n');
      };
      return { text: units.map(block).join('\n\n'), code: 0 };
    },
    reboot: (state) => {
      state.reboot.requested += 1;
      boot(state);
    },
  };

  if (!COMMANDS[command]) exit(1, `Unknown command verb ${command ?? ''}.`);
  main(() => {
    const res = withState((state) => {
      const r = COMMANDS[command](state);
      syncFiles(state);
      return r;
    });
    if (res?.text) out(res.text);
    exit(res?.code ?? 0);
  });
});
