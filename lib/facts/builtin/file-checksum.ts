import { probeFact } from '../file-probe.js';
import { fileStat } from './file-stat.js';

/** The sha256 of a regular file's content; null when the path is not a regular file. Unreadable is an error. */
export const fileChecksum = probeFact<string, string | null>({
  name: 'file_checksum',
  // small files come with the probe's one archive and are hashed here, big ones by one sha256sum on the host
  key: (path) => path,
  affects: fileStat.affects,
});
