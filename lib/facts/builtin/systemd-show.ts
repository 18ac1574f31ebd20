import { shellJoin } from '../../transport/shell-quote.js';
import { defineFact } from '../fact.js';

/** A unit as systemd describes it: every `systemctl show` property, and what `is-enabled` says. */
export interface UnitShow {
  /** `systemctl show`'s properties (Ansible's `status` return value) */
  properties: Record<string, string>;
  /** is-enabled's exit status and first line (enabled, disabled, static, masked, indirect…; '' when it says nothing) */
  enabledRc: number;
  enabledState: string;
}

/**
 * `systemctl show` output: `Key=value` lines, a blank line between units. Only Exec* values that open a `{`
 * span lines (as Ansible's parse_systemctl_show reads them).
 */
export const parseShow = (text: string): Record<string, string> => {
  const parsed: Record<string, string> = {};
  let key: string | undefined;
  let multi: string[] = [];
  for (const line of text.split('\n')) {
    if (key === undefined) {
      const eq = line.indexOf('=');
      if (eq < 0) continue;
      const k = line.slice(0, eq);
      const v = line.slice(eq + 1);
      if (k.startsWith('Exec') && v.trimStart().startsWith('{') && !v.trimEnd().endsWith('}')) {
        key = k;
        multi = [v];
        continue;
      }
      parsed[k] = v.trim();
      continue;
    }
    multi.push(line);
    if (line.trimEnd().endsWith('}')) {
      parsed[key] = multi.join('\n').trim();
      key = undefined;
    }
  }
  return parsed;
};

/** Units' properties and enablement, one `systemctl show` for all of them (each unit's block ends in a blank line). */
export const systemdShow = defineFact<string, UnitShow>({
  name: 'systemd_show',
  command: (units) => `for u in ${shellJoin(units)}; do systemctl show -- "$u" 2>/dev/null; printf '\\0'; done
for u in ${shellJoin(units)}; do s=$(systemctl is-enabled -- "$u" 2>/dev/null); printf '%s\\0%s\\0' "$?" "$s"; done`,
  parse: ({ stdout }, units) => {
    const fields = stdout.split('\0');
    return units.map((_, i) => {
      const rc = fields[units.length + 2 * i];
      const state = fields[units.length + 2 * i + 1] ?? '';
      return { properties: parseShow(fields[i] ?? ''), enabledRc: rc === undefined ? 1 : Number(rc), enabledState: state.split('\n')[0].trim() };
    });
  },
  key: (unit) => unit,
});
