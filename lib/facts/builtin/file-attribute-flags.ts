import { shellJoin } from '../../transport/shell-quote.js';
import { defineFact } from '../fact.js';
import { fileStat } from './file-stat.js';

/** What `lsattr -vd` says of a path: Ansible's stat `version`, `attr_flags` and `attributes`. */
export interface AttributeFlags {
  version: string | null;
  attr_flags: string;
  attributes: string[];
}

// chattr(1)'s letters, by the names Ansible reports
const NAMES: Record<string, string> = {
  A: 'noatime',
  a: 'append',
  c: 'compressed',
  C: 'nocow',
  d: 'nodump',
  D: 'dirsync',
  e: 'extents',
  E: 'encrypted',
  h: 'blocksize',
  i: 'immutable',
  I: 'indexed',
  j: 'journalled',
  N: 'inline',
  s: 'zero',
  S: 'synchronous',
  t: 'notail',
  T: 'blockroot',
  u: 'undelete',
  X: 'compressedraw',
  Z: 'compresseddirty',
};

// file systems without attributes (overlayfs, tmpfs) make lsattr fail: nothing known, as Ansible reports it
const NONE: AttributeFlags = { version: null, attr_flags: '', attributes: [] };

/** A path's ext2-style attributes, one lsattr for every path; a path it cannot read has none. */
export const fileAttributeFlags = defineFact<string, AttributeFlags>({
  name: 'file_attribute_flags',
  command: (paths) => `command -v lsattr >/dev/null 2>&1 || exit 0
for p in ${shellJoin(paths)}; do out=$(lsattr -vd -- "$p" 2>/dev/null) && printf '%s\\0%s\\0' "$p" "$out"; done; true`,
  parse: ({ stdout }, paths) => {
    const found = new Map<string, AttributeFlags>();
    const records = stdout.split('\0');
    for (let i = 0; i + 1 < records.length; i += 2) {
      const [version, flags] = records[i + 1].trim().split(/\s+/);
      const attr_flags = (flags ?? '').replace(/-/g, '');
      found.set(records[i], { version: version ?? null, attr_flags, attributes: [...attr_flags].map((f) => NAMES[f] ?? f) });
    }
    return paths.map((p) => found.get(p) ?? NONE);
  },
  key: (path) => path,
  affects: fileStat.affects,
});
