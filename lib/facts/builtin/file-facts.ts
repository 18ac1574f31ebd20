import type { FactRef } from '../fact.js';
import { fileChecksum } from './file-checksum.js';
import { fileContent } from './file-content.js';
import { fileStat } from './file-stat.js';

/** Everything cached about a path (and, for a directory, below it): what a write or a removal makes stale. */
export const fileFactsOf = (path: string): FactRef[] => [
  { fact: fileStat, arg: path },
  { fact: fileChecksum, arg: path },
  { fact: fileContent, arg: path },
];
