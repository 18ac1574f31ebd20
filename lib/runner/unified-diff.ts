import type { FileDiff } from '../modules/module.js';
import { redact } from './redact.js';

const hidden = (d: FileDiff) => `--- ${d.path}\n+++ ${d.path}\n(content hidden: it holds secrets)\n`;

/**
 * Whether a file's content is never shown, only named: the task said so (`secret`, `no_log`), or the file being
 * replaced held a secret. A previous content may hold a secret the run no longer knows (the password a rotation
 * replaces), so a file others could not read is hidden whole, as is one whose previous content holds any secret
 * value of this run. A world-readable file's previous content was no secret on its host: it is shown, and both
 * sides are redacted with the run's secrets.
 */
const holdsSecrets = (d: FileDiff, secrets: readonly string[]): boolean => Boolean(d.redact || d.privateBefore) || secrets.some((s) => d.before.includes(s));

/** `--diff` output: a unified diff per file, secret files named but never shown. (jsdiff loads only when asked for.) */
export const renderDiffs = async (diffs: readonly FileDiff[], secrets: readonly string[], hideAll: boolean): Promise<string> => {
  const { createTwoFilesPatch } = await import('diff');
  return diffs
    .map((d) => {
      if (hideAll || holdsSecrets(d, secrets)) return hidden(d);
      const patch = createTwoFilesPatch(`${d.path} (before)`, `${d.path} (after)`, d.before, d.after, '', '', { context: 3 });
      return redact(patch, secrets)
        .split('\n')
        .filter((l) => !l.startsWith('====='))
        .join('\n');
    })
    .join('\n');
};
