import { probeFact } from '../file-probe.js';

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

/**
 * A path's type, mode, owner, group, size and link target (never following a link), as the reader sees it: one
 * find for every path, shared with the other file facts (lib/facts/file-probe.ts).
 */
export const fileStat = probeFact<string, FileState>({
  name: 'file_stat',
  key: (path) => path,
  // a changed directory may have changed everything below it
  affects: (changed, cached) => cached === changed || cached.startsWith(changed.endsWith('/') ? changed : `${changed}/`),
});
