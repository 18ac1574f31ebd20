import { shellJoin } from '../../transport/shell-quote.js';
import { defineFact } from '../fact.js';
import { installedPackages } from './packages.js';

export interface UnitStatus {
  LoadState: string;
  ActiveState: string;
  UnitFileState: string;
  /** `systemctl is-enabled` exits 0 for enabled, static, indirect, alias, generated units */
  enabled: boolean;
}

// `systemctl is-enabled` exits 0 for these unit file states (systemctl(1)), non-zero for disabled, masked, linked, bad…
const ENABLED = new Set(['enabled', 'enabled-runtime', 'static', 'indirect', 'alias', 'generated', 'transient']);

const PROPERTIES = ['LoadState', 'ActiveState', 'UnitFileState'] as const;

/** `systemctl show -p …` of several units: each unit's `Key=value` lines, in systemd's order, a blank line between units. */
export const parseUnitBlocks = (stdout: string, count: number): UnitStatus[] => {
  const blocks = stdout.replace(/\n+$/, '').split(/\n\n/);
  return Array.from({ length: count }, (_, i) => {
    const props: Record<string, string> = {};
    for (const line of (blocks[i] ?? '').split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) props[line.slice(0, eq)] = line.slice(eq + 1);
    }
    const [LoadState, ActiveState, UnitFileState] = PROPERTIES.map((p) => props[p] ?? '');
    return { LoadState, ActiveState, UnitFileState, enabled: ENABLED.has(UnitFileState) };
  });
};

/**
 * Units' load, active and enablement state: one `systemctl show` for all of them (it was three processes a unit).
 * Without systemd every state is empty, as the per-unit commands left them.
 */
export const systemdUnit = defineFact<string, UnitStatus>({
  name: 'systemd_unit',
  command: (names) => `systemctl show -p ${PROPERTIES.join(',')} -- ${shellJoin(names)} 2>/dev/null`,
  parse: ({ stdout }, names) => parseUnitBlocks(stdout, names.length),
  key: (name) => name,
  // a package ships units and, by Debian policy, enables and starts them (docker.service after docker-ce)
  dependsOn: () => [installedPackages],
});
