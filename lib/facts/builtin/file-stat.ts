import { shellJoin } from '../../transport/shell-quote.js';
import { defineFact } from '../fact.js';

export interface FileState {
  path: string;
  exists: boolean;
  type?: 'file' | 'directory' | 'link' | 'other';
  /** permission bits, e.g. 0o644 */
  mode?: number;
  owner?: string;
  group?: string;
  size?: number;
  /** target of a symbolic link */
  linkTarget?: string;
}

const TYPES: Record<string, FileState['type']> = { f: 'file', d: 'directory', l: 'link' };

// find prints its starting points in order; a relative one must not look like an option or an expression
const startingPoint = (path: string) => (path.startsWith('/') ? path : `./${path}`);

const FIELDS = 7;

/** A path's type, mode, owner, group, size and link target (never following a link), as the reader sees it. */
export const fileStat = defineFact<string, FileState>({
  name: 'file_stat',
  // one process for every path: NUL-separated fields, so any byte a name may hold is safe
  command: (paths) => `find ${shellJoin(paths.map(startingPoint))} -maxdepth 0 -printf '%p\\0%y\\0%m\\0%u\\0%g\\0%s\\0%l\\0' 2>/dev/null; true`,
  parse: ({ stdout }, paths) => {
    const fields = stdout.split('\0');
    const found = new Map<string, FileState>();
    for (let i = 0; i + FIELDS <= fields.length; i += FIELDS) {
      const [p, y, m, u, g, s, l] = fields.slice(i, i + FIELDS);
      const type = TYPES[y] ?? 'other';
      found.set(p, {
        path: p,
        exists: true,
        type,
        mode: Number.parseInt(m, 8),
        owner: u,
        group: g,
        size: Number(s),
        linkTarget: type === 'link' ? l : undefined,
      });
    }
    return paths.map((path) => {
      const state = found.get(startingPoint(path));
      return state ? { ...state, path } : { path, exists: false };
    });
  },
  key: (path) => path,
  // a changed directory may have changed everything below it
  affects: (changed, cached) => cached === changed || cached.startsWith(changed.endsWith('/') ? changed : `${changed}/`),
});
