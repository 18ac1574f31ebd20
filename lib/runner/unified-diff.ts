import type { FileDiff } from '../modules/module.js';
import { redact } from './redact.js';

/** `--diff` output: a unified diff per file, secret files named but never shown. (jsdiff loads only when asked for.) */
export const renderDiffs = async (diffs: readonly FileDiff[], secrets: readonly string[], hideAll: boolean): Promise<string> => {
  const { createTwoFilesPatch } = await import('diff');
  return diffs
    .map((d) => {
      if (d.redact || hideAll) return `--- ${d.path}\n+++ ${d.path}\n(content hidden: it holds secrets)\n`;
      const patch = createTwoFilesPatch(`${d.path} (before)`, `${d.path} (after)`, d.before, d.after, '', '', { context: 3 });
      return redact(patch, secrets)
        .split('\n')
        .filter((l) => !l.startsWith('====='))
        .join('\n');
    })
    .join('\n');
};
