import { shellJoin } from '../../transport/shell-quote.js';
import { defineFact } from '../fact.js';

/** A kernel parameter's live value as `sysctl -e -n` prints it (null when sysctl fails). */
export const sysctlValue = defineFact<string, string | null>({
  name: 'sysctl_value',
  // one sysctl per key: with -e an unknown key prints nothing, which would shift the answers of a shared call
  command: (keys) => `for k in ${shellJoin(keys)}; do v=$(LANG=C LC_ALL=C sysctl -e -n -- "$k" 2>/dev/null); printf '%s\\0%s\\0' "$?" "$v"; done`,
  parse: ({ stdout }, keys) => {
    const fields = stdout.split('\0');
    return keys.map((_, i) => (fields[2 * i] === '0' ? (fields[2 * i + 1] ?? '') : null));
  },
  key: (k) => k,
});
