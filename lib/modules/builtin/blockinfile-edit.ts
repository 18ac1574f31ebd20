/**
 * Ansible's blockinfile algorithm on text: the block between its two marker lines is replaced (or removed), or
 * inserted where insertafter/insertbefore point, as ansible.builtin.blockinfile computes it.
 */
import { pythonRegex } from '../python-regex.js';
import { splitLines } from './lineinfile-edit.js';

export interface BlockOptions {
  present: boolean;
  block: string;
  marker: string;
  markerBegin: string;
  markerEnd: string;
  insertafter?: string;
  insertbefore?: string;
}

const body = (line: string): string => line.replace(/\n$/, '');

// where a block without markers goes: after the last line insertafter matches, before the last insertbefore
// matches, or at the end (or the start: BOF) when nothing matches
const insertionPoint = (lines: string[], original: string, o: BlockOptions): number => {
  const after = o.insertafter ?? (o.insertbefore === undefined ? 'EOF' : undefined);
  const pattern = after !== undefined && after !== 'EOF' ? after : o.insertbefore !== undefined && o.insertbefore !== 'BOF' ? o.insertbefore : undefined;
  if (pattern === undefined) return o.insertbefore !== undefined ? 0 : lines.length;
  const re = pythonRegex(pattern);
  let at: number | undefined;
  if (re.multiline) {
    // a multi-line pattern is searched in the whole text; the block goes after (or before) the matched line
    const m = re.exec(original);
    if (m) at = original.slice(0, after !== undefined ? m.index + m[0].length : m.index).split('\n').length - 1;
  } else {
    lines.forEach((line, i) => {
      if (re.test(body(line))) at = i;
    });
  }
  if (at === undefined) return lines.length;
  return after !== undefined ? at + 1 : at;
};

/** The file's new text (from its current text, or null when it does not exist). */
export const editBlock = (original: string | null, o: BlockOptions): string => {
  const lines = splitLines(original ?? '');
  const marker0 = `${o.marker.replaceAll('{mark}', o.markerBegin)}\n`;
  const marker1 = `${o.marker.replaceAll('{mark}', o.markerEnd)}\n`;
  const block = o.block.endsWith('\n') || o.block === '' ? o.block : `${o.block}\n`;
  const blockLines = o.present && o.block !== '' ? [marker0, ...splitLines(block), marker1] : [];
  const n0 = lines.lastIndexOf(marker0);
  const n1 = lines.lastIndexOf(marker1);
  let at: number;
  if (n0 === -1 || n1 === -1) at = insertionPoint(lines, original ?? '', o);
  else {
    at = Math.min(n0, n1);
    lines.splice(at, Math.abs(n1 - n0) + 1);
  }
  if (at > 0 && !lines[at - 1].endsWith('\n')) lines[at - 1] += '\n';
  lines.splice(at, 0, ...blockLines);
  return lines.join('');
};
