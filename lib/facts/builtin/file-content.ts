import { probeFact } from '../file-probe.js';
import { fileStat } from './file-stat.js';

/**
 * A regular file's bytes (for modules that edit a file in place); null when absent or not a regular file.
 * Every readable file travels in the probe's one tar archive (lib/facts/file-probe.ts): one process for any
 * number of files, where a base64 per file cost one each.
 */
export const fileContent = probeFact<string, Buffer | null>({
  name: 'file_content',
  key: (path) => path,
  affects: fileStat.affects,
});
