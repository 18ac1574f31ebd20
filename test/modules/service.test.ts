import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serviceModule } from '../../lib/modules/builtin/service.js';
import { removeDir, runModule, shimEnv, shimWorkspace, snapshotDir, writeShim } from './helpers.js';

// A fake systemd: $STATE/<unit>.active and $STATE/<unit>.enabled hold each unit's state; show prints as systemctl does.
const SYSTEMCTL = `printf '%s\\n' "systemctl $*" >> "$LOGS/calls"
cmd=$1; shift
for a in "$@"; do unit=$a; done
u="$STATE/$unit"
case $cmd in
  show) shift 2; [ "$1" = -- ] && shift; sep=
    # as systemctl show -p prints several units: Key=value lines, a blank line between units
    for unit in "$@"; do
      u="$STATE/$unit"; printf "$sep"; sep='\\n'
      if [ -f "$u.enabled" ]; then printf 'LoadState=loaded\\nActiveState=%s\\nUnitFileState=%s\\n' "$(cat "$u.active" 2>/dev/null || echo inactive)" "$(cat "$u.enabled")"
      else printf 'LoadState=not-found\\nActiveState=inactive\\nUnitFileState=\\n'; fi
    done ;;
  is-active) s=$(cat "$u.active" 2>/dev/null || echo inactive); echo "$s"; [ "$s" = active ] ;;
  is-enabled) [ -f "$u.enabled" ] || { echo "Failed to get unit file state for $unit" >&2; exit 1; }
    s=$(cat "$u.enabled"); echo "$s"; [ "$s" = enabled ] || [ "$s" = static ] ;;
  start) echo active > "$u.active" ;;
  stop) echo inactive > "$u.active" ;;
  restart|reload) echo active > "$u.active"; echo "$cmd" >> "$LOGS/actions" ;;
  enable) echo enabled > "$u.enabled" ;;
  disable) echo disabled > "$u.enabled" ;;
  daemon-reload) echo daemon-reload >> "$LOGS/actions" ;;
esac`;

let dir: string;
let state: string;
let env: Record<string, string>;
beforeEach(async () => {
  const ws = await shimWorkspace();
  ({ dir, state } = ws);
  const { logs } = ws;
  await writeFile(join(state, 'gonka-node.service.enabled'), 'disabled\n');
  await writeFile(join(state, 'static.service.enabled'), 'static\n');
  env = { ...shimEnv(await writeShim(dir, 'systemctl', SYSTEMCTL)), STATE: state, LOGS: logs };
});
afterEach(() => removeDir(dir));

const unit = async (name: string, what: 'active' | 'enabled') => (await readFile(join(state, `${name}.${what}`), 'utf8')).trim();
const actions = async () => (await readFile(join(dir, 'logs/actions'), 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);

describe('service (systemd)', () => {
  it('starts and enables once, with a diff, then reports no change', async () => {
    const args = { name: 'gonka-node.service', state: 'started', enabled: true };
    const first = await runModule(serviceModule, args, { env });
    expect(first).toMatchObject({ changed: true, name: 'gonka-node.service' });
    expect(first.diff).toEqual([{ path: 'service gonka-node.service', before: 'running: false\nenabled: false\n', after: 'running: true\nenabled: true\n' }]);
    expect(await unit('gonka-node.service', 'active')).toBe('active');
    expect(await unit('gonka-node.service', 'enabled')).toBe('enabled');
    const second = await runModule(serviceModule, args, { env });
    expect(second).toMatchObject({ changed: false, status: { ActiveState: 'active', UnitFileState: 'enabled', LoadState: 'loaded' } });
  });

  it('stops and disables a running unit', async () => {
    await runModule(serviceModule, { name: 'gonka-node.service', state: 'started', enabled: true }, { env });
    const res = await runModule(serviceModule, { name: 'gonka-node.service', state: 'stopped', enabled: false }, { env });
    expect(res.changed).toBe(true);
    expect(await unit('gonka-node.service', 'active')).toBe('inactive');
    expect(await unit('gonka-node.service', 'enabled')).toBe('disabled');
  });

  it('restarted always restarts; reloaded starts a stopped unit', async () => {
    expect((await runModule(serviceModule, { name: 'gonka-node.service', state: 'reloaded' }, { env })).changed).toBe(true);
    expect(await actions()).toEqual([]);
    expect((await runModule(serviceModule, { name: 'gonka-node.service', state: 'reloaded' }, { env })).changed).toBe(true);
    expect((await runModule(serviceModule, { name: 'gonka-node.service', state: 'restarted', daemon_reload: true }, { env })).changed).toBe(true);
    expect(await actions()).toEqual(['reload', 'daemon-reload', 'restart']);
  });

  it('does not try to enable or disable a static unit', async () => {
    expect((await runModule(serviceModule, { name: 'static.service', enabled: true }, { env })).changed).toBe(false);
    expect((await runModule(serviceModule, { name: 'static.service', enabled: false }, { env })).changed).toBe(false);
  });

  it('fails on a unit that does not exist', async () => {
    expect(await runModule(serviceModule, { name: 'nope.service', state: 'started' }, { env })).toMatchObject({
      failed: true,
      msg: 'Could not find the requested service nope.service',
    });
  });

  it('check mode changes nothing but reports the change', async () => {
    const before = await snapshotDir(state);
    const res = await runModule(serviceModule, { name: 'gonka-node.service', state: 'restarted', enabled: true, daemon_reload: true }, { env, check: true });
    expect(res).toMatchObject({ changed: true, diff: [{ after: 'running: true\nenabled: true\n' }] });
    expect(await snapshotDir(state)).toEqual(before);
    expect(await actions()).toEqual([]);
  });
});
