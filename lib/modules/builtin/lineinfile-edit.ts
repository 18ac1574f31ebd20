/**
 * Ansible's lineinfile algorithm on a list of lines (each keeping its `\n`), ported from
 * ansible.builtin.lineinfile's present()/absent() so existing playbooks edit files the same way.
 */
import { expandTemplate, pythonRegex } from '../python-regex.js';

export interface LineEdit {
  lines: string[];
  changed: boolean;
  msg: string;
}

export interface LineMatch {
  line?: string;
  regexp?: RegExp;
  searchString?: string;
}

export interface PresentOptions extends LineMatch {
  line: string;
  insertafter?: string;
  insertbefore?: string;
  backrefs: boolean;
  firstmatch: boolean;
}

export const splitLines = (text: string): string[] => text.match(/[^\n]*\n|[^\n]+$/g) ?? [];

// Python's `$` also matches before a final newline; JS's does not, so patterns see the line without it
const body = (line: string): string => line.replace(/[\r\n]+$/, '');
const terminated = (line: string): string => (line.endsWith('\n') ? line : `${line}\n`);

const findMatch = (lines: string[], o: PresentOptions): { index: number; match?: RegExpExecArray } => {
  let found: { index: number; match?: RegExpExecArray } = { index: -1 };
  for (const [i, line] of lines.entries()) {
    const m = o.regexp ? o.regexp.exec(body(line)) : null;
    const hit = m !== null || (o.searchString !== undefined && line.includes(o.searchString));
    if (!hit) continue;
    found = { index: i, match: m ?? undefined };
    if (o.firstmatch) break;
  }
  return found;
};

const anchorPattern = (o: PresentOptions): RegExp | undefined => {
  if (o.insertafter !== undefined && o.insertafter !== 'BOF' && o.insertafter !== 'EOF') return pythonRegex(o.insertafter);
  if (o.insertbefore !== undefined && o.insertbefore !== 'BOF') return pythonRegex(o.insertbefore);
  return undefined;
};

// without a regexp match: the last exact copy of the line, and where insertafter/insertbefore point
const findAnchor = (lines: string[], o: PresentOptions): { exact: number; insert: number } => {
  const anchor = anchorPattern(o);
  let exact = -1;
  let insert = -1;
  for (const [i, line] of lines.entries()) {
    if (body(line) === o.line) {
      exact = i;
      continue;
    }
    if (!anchor?.test(body(line))) continue;
    insert = o.insertafter !== undefined ? i + 1 : i;
    if (o.firstmatch) break;
  }
  return { exact, insert };
};

const insertAt = (lines: string[], at: number, line: string): string[] => {
  const out = [...lines];
  if (at > 0 && at === out.length) out[at - 1] = terminated(out[at - 1]);
  out.splice(at, 0, terminated(line));
  return out;
};

const added = (lines: string[]): LineEdit => ({ lines, changed: true, msg: 'line added' });
const unchanged = (lines: string[]): LineEdit => ({ lines, changed: false, msg: '' });

export const presentLine = (lines: string[], o: PresentOptions): LineEdit => {
  const { index, match } = findMatch(lines, o);
  const matched = index !== -1;
  const { exact, insert } = matched ? { exact: -1, insert: -1 } : findAnchor(lines, o);
  const target = matched ? index : exact;
  if (target !== -1) {
    const wanted = terminated(o.backrefs && match ? expandTemplate(match, o.line) : o.line);
    if (lines[target] === wanted) return unchanged(lines);
    return { lines: lines.map((l, i) => (i === target ? wanted : l)), changed: true, msg: 'line replaced' };
  }
  // with backrefs and no match, the line cannot be built safely: do nothing
  if (o.backrefs) return unchanged(lines);
  if (o.insertbefore === 'BOF' || o.insertafter === 'BOF') return added(insertAt(lines, 0, o.line));
  // an anchor that matched nothing means the end of the file, as in Ansible
  return added(insertAt(lines, insert === -1 ? lines.length : insert, o.line));
};

export const absentLine = (lines: string[], o: LineMatch): LineEdit => {
  const hit = (line: string): boolean => {
    if (o.regexp) return o.regexp.test(body(line));
    if (o.searchString !== undefined) return line.includes(o.searchString);
    return body(line) === o.line;
  };
  const kept = lines.filter((l) => !hit(l));
  const removed = lines.length - kept.length;
  return { lines: kept, changed: removed > 0, msg: removed > 0 ? `${removed} line(s) removed` : '' };
};
