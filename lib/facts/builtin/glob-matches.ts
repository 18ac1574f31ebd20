import { shellJoin } from '../../transport/shell-quote.js';
import { defineFact } from '../fact.js';

/** Whether a pattern has glob characters (`*`, `?`, `[`), so it is matched rather than looked up. */
export const isGlob = (pattern: string): boolean => /[*?[]/.test(pattern);

// the directory a pattern's matches lie in, as far as it is fixed: what a change must touch to alter its matches
const fixedDir = (pattern: string): string => {
  const head = pattern.slice(0, pattern.search(/[*?[]/));
  return head.slice(0, head.lastIndexOf('/') + 1);
};

/**
 * Whether a glob pattern matches anything (a dangling link too), as Python's glob.glob decides Ansible's
 * `creates`/`removes`: the shell expands it (no word splitting), one process for every pattern.
 */
export const globMatches = defineFact<string, boolean>({
  name: 'glob_matches',
  command: (patterns) =>
    `IFS=''; set +f\n${patterns
      .map((p) => `pat=${shellJoin([p])}; for f in $pat; do if [ -e "$f" ] || [ -L "$f" ]; then printf 1; break; fi; done; printf '\\0'`)
      .join('\n')}`,
  parse: ({ stdout }, patterns) => {
    const answers = stdout.split('\0');
    return patterns.map((_, i) => answers[i] === '1');
  },
  key: (pattern) => pattern,
  // a change to a path may change the matches of a pattern below or above it
  affects: (changed, pattern) => pattern.startsWith(changed) || changed.startsWith(fixedDir(pattern)),
});
