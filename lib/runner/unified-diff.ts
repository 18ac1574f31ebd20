import { createTwoFilesPatch } from 'diff';
import type { FileDiff } from '../modules/module.js';
import { redact } from './redact.js';

/** `--diff` output: a unified diff per file, secret files named but never shown. */
export const renderDiffs = (diffs: readonly FileDiff[], secrets: readonly string[], hideAll: boolean): string =>
  diffs
    .map((d) => {
      if (d.redact || hideAll) return `--- ${d.path}\n+++ ${d.path}\n(content hidden: it holds secrets)\n`;
      return redact(createTwoFilesPatch(`${d.path} (before)`, `${d.path} (after)`, d.before, d.after, '', '', { context: 3 }), secrets)
        .split('\n')
        .filter((l) => !l.startsWith('====='))
        .join('\n');
    })
    .join('\n');
