import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair, type YAMLMap } from 'yaml';
import { AnsibleYamlError, parseAnsibleYaml } from '../yaml/ansible-yaml.js';
import { codeExcerpt } from '../yaml/excerpt.js';
import { InventoryError, type InventoryLocation } from './errors.js';

/** A parsed YAML file that can point back at the line and column of any field. */
export interface YamlSource {
  file: string;
  data: unknown;
  /** where `path` is in the file; `key: true` points at the mapping key rather than its value */
  locate: (path: readonly (string | number)[], opts?: { key?: boolean }) => InventoryLocation;
}

// each mapping's pairs by key, built on first use: locating every host of a 10,000-host group stays linear
const pairIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

const pairOf = (map: YAMLMap, key: string): Pair | undefined => {
  let index = pairIndex.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.items) {
      const k = String(isScalar(p.key) ? p.key.value : p.key);
      if (isPair(p) && !index.has(k)) index.set(k, p);
    }
    pairIndex.set(map, index);
  }
  return index.get(key);
};

const child = (node: unknown, segment: string | number, wantKey: boolean): unknown => {
  if (isMap(node)) {
    const pair = pairOf(node, String(segment));
    return pair ? (wantKey ? pair.key : (pair.value ?? pair.key)) : undefined;
  }
  if (isSeq(node) && typeof segment === 'number') return node.items[segment];
  return undefined;
};

const rangeOf = (node: unknown): number | undefined => {
  const range = (node as Node | null)?.range;
  return Array.isArray(range) ? range[0] : undefined;
};

const locator =
  (file: string, doc: Document, lines: LineCounter) =>
  (path: readonly (string | number)[], opts: { key?: boolean } = {}): InventoryLocation => {
    let node: unknown = doc.contents;
    let offset = rangeOf(node) ?? 0;
    path.forEach((segment, i) => {
      node = child(node, segment, opts.key === true && i === path.length - 1);
      // a missing field is reported where its parent is
      offset = rangeOf(node) ?? offset;
    });
    const { line, col } = lines.linePos(offset);
    return { file, line, column: col, path };
  };

/**
 * Parse YAML the way Ansible reads inventory and vars files (YAML 1.1: `yes` is true, `0755` octal; `1.0` stays a
 * Python float, printed as 1.0 by templates and ansible-inventory's views).
 * A syntax error throws an InventoryError with its line and column.
 */
export const parseYamlSource = (file: string, text: string): YamlSource => {
  let parsed: ReturnType<typeof parseAnsibleYaml>;
  try {
    parsed = parseAnsibleYaml(text, { pythonFloats: true });
  } catch (e) {
    if (!(e instanceof AnsibleYamlError)) throw e;
    const excerpt = e.line === undefined ? '' : `\n${codeExcerpt(text, e.line, e.col ?? 1)}`;
    throw new InventoryError(e.reason, { file, line: e.line, column: e.col }, excerpt);
  }
  return { file, data: parsed.value, locate: locator(file, parsed.doc, parsed.lineCounter) };
};
