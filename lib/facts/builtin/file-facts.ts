import type { FactRef, KnownFact } from '../fact.js';
import { dirEntries } from './dir-entries.js';
import { fileAttributeFlags } from './file-attribute-flags.js';
import { fileChecksum } from './file-checksum.js';
import { fileContent } from './file-content.js';
import { fileDigest } from './file-digest.js';
import { fileMime } from './file-mime.js';
import { fileStat } from './file-stat.js';
import { globMatches } from './glob-matches.js';
import { pathStat } from './path-stat.js';

/** Everything cached about a path (and, for a directory, below it): what a write or a removal makes stale. */
export const fileFactsOf = (path: string): FactRef[] =>
  [
    { fact: fileStat, arg: path },
    { fact: fileChecksum, arg: path },
    { fact: fileContent, arg: path },
    // these compare by path (their `affects`): the other fields of the argument do not matter here
    { fact: pathStat, arg: { path, follow: false } },
    { fact: fileDigest, arg: { path, algorithm: 'sha1' } },
    { fact: fileMime, arg: path },
    { fact: fileAttributeFlags, arg: path },
    { fact: dirEntries, arg: { path } },
    // patterns whose matches it may change (their `affects`)
    { fact: globMatches, arg: path },
  ] as FactRef[];

const below = (dir: string): ((path: string) => boolean) => {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return (path) => path.startsWith(prefix);
};

/**
 * Every path below `dir` is absent (and `dir` itself too, with `self`): what a directory just created, or a path
 * just removed, makes true. The tasks after it plan from this instead of reading the host again.
 */
export const absentBelow = (dir: string, self = false): KnownFact[] => {
  const inside = below(dir);
  const covers = (path: string) => inside(path) || (self && path === dir);
  return [
    { fact: fileStat, covers, value: (path: string) => ({ path, exists: false }) },
    { fact: fileChecksum, covers, value: () => null },
    { fact: fileContent, covers, value: () => null },
  ] as KnownFact[];
};
