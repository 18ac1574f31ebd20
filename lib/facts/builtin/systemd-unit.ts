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

/** A systemd unit's load, active and enablement state. */
export const systemdUnit = defineFact<string, UnitStatus>({
  name: 'systemd_unit',
  command: (names) => `for u in ${shellJoin(names)}; do
  load=$(systemctl show -p LoadState --value -- "$u" 2>/dev/null)
  active=$(systemctl is-active -- "$u" 2>/dev/null)
  file=$(systemctl is-enabled -- "$u" 2>/dev/null)
  rc=$?
  printf '%s|%s|%s|%s\\n' "$load" "$active" "$file" "$rc"
done`,
  parse: ({ stdout }, names) => {
    const lines = stdout.split('\n');
    return names.map((name, i) => {
      const line = lines[i];
      if (line === undefined) return new Error(`cannot read the state of ${name}`);
      const [LoadState, ActiveState, UnitFileState, rc] = line.split('|');
      return { LoadState, ActiveState, UnitFileState, enabled: rc === '0' };
    });
  },
  key: (name) => name,
  // a package ships units and, by Debian policy, enables and starts them (docker.service after docker-ce)
  dependsOn: () => [installedPackages],
});
