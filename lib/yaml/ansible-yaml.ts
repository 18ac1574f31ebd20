import { isScalar, LineCounter, parseDocument, visit, type Document, type Node, type ScalarTag, type Tags } from 'yaml';
import { pyFloat } from '../template/py-float.js';
import { UnsafeText } from '../template/unsafe.js';
import { decryptInline, readableText } from '../vault/vault-passwords.js';

/**
 * YAML read as Ansible reads it (PyYAML, YAML 1.1): `0644` is octal, `yes`/`no`/`on`/`off` are
 * booleans. Every YAML reader of playbooks, roles, inventories and vars files goes through here.
 */

// PyYAML's bool resolver: yes/no/true/false/on/off in lower, Title and UPPER case. The yaml package's
// YAML 1.1 schema also takes y/n, which PyYAML (and so Ansible) leaves as strings.
const PYYAML_TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const PYYAML_FALSE = /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/;

// `!vault |` values, decrypted with the run's vault passwords (a secret from then on)
const vaultTag: ScalarTag = { tag: '!vault', resolve: (text) => decryptInline(text) };

// `!unsafe` values: text that is never templated (Ansible's AnsibleUnsafeText)
const unsafeTag: ScalarTag = { tag: '!unsafe', resolve: (text) => new UnsafeText(text) };

// PyYAML's float with an exponent: a dot before it and a sign in it (`1.5e+3`); `1e3` and `1.5e3` are strings
const PYYAML_FLOAT_EXP = /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*|\.[0-9_]+)[eE][-+][0-9]+$/;

// PyYAML's timestamp: a date (two-digit month and day), or a date and time with an optional fraction and zone
const PYYAML_TIMESTAMP =
  /^(?:([0-9]{4})-([0-9]{2})-([0-9]{2})|([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?(?:[ \t]*(Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/;

const two = (n: string) => n.padStart(2, '0');

/**
 * A timestamp as Ansible shows it: PyYAML makes a Python date or datetime, which templates and ansible-inventory
 * print in ISO form (`2024-01-02`, `2001-12-14T21:59:43.100000-05:00`); nop keeps that text (a JavaScript Date
 * would print as UTC with milliseconds).
 */
const pythonIsoformat = (text: string): string => {
  const m = PYYAML_TIMESTAMP.exec(text)!;
  if (m[1]) return `${m[1]}-${m[2]}-${m[3]}`;
  const [, , , , year, month, day, hour, minute, second, fraction, zone] = m;
  const micro = fraction && Number(fraction) > 0 ? `.${fraction.slice(0, 6).padEnd(6, '0')}` : '';
  let offset = '';
  if (zone === 'Z') offset = '+00:00';
  else if (zone) {
    const [h, min = '00'] = zone.slice(1).split(':');
    offset = `${zone[0]}${two(h)}:${min}`;
  }
  return `${year}-${two(month)}-${two(day)}T${two(hour)}:${minute}:${second}${micro}${offset}`;
};

const timestampTag: ScalarTag = { tag: 'tag:yaml.org,2002:timestamp', default: true, test: PYYAML_TIMESTAMP, resolve: pythonIsoformat };

// an integer past 2^53 stays exact (Python's ints are unbounded): a BigInt, printed as its digits
const exactInt = (tag: ScalarTag): ScalarTag => ({
  ...tag,
  resolve: (text, onError, options) => {
    const big = tag.resolve(text, onError, { ...options, intAsBigInt: true });
    if (typeof big !== 'bigint') return big;
    return big > BigInt(Number.MAX_SAFE_INTEGER) || big < -BigInt(Number.MAX_SAFE_INTEGER) ? big : Number(big);
  },
});

// a float stays one in templates (`1.0` prints as 1.0, not 1): lib/template/py-float.ts
const pythonFloat = (tag: ScalarTag): ScalarTag => ({
  ...tag,
  resolve: (text, onError, options) => {
    const n = tag.resolve(text, onError, options);
    // the yaml package gives `1.0` as a Scalar node (keeping its digits), the others as numbers
    if (isScalar(n) && typeof n.value === 'number') n.value = pyFloat(n.value);
    return typeof n === 'number' ? pyFloat(n) : n;
  },
});

const pyyamlTag = (tag: Tags[number]): Tags[number] | undefined => {
  if (typeof tag !== 'object' || 'collection' in tag) return tag;
  if (tag.tag === 'tag:yaml.org,2002:bool') return { ...tag, test: tag.identify?.(true) ? PYYAML_TRUE : PYYAML_FALSE };
  if (tag.tag === 'tag:yaml.org,2002:float' && tag.format === 'EXP') return { ...tag, test: PYYAML_FLOAT_EXP };
  if (tag.tag === 'tag:yaml.org,2002:int') return exactInt(tag as ScalarTag);
  if (tag.tag === 'tag:yaml.org,2002:timestamp') return undefined;
  return tag;
};

const pyyamlTags = (tags: Tags): Tags => [...tags.map(pyyamlTag).filter((t) => t !== undefined), timestampTag, vaultTag, unsafeTag];

const withPythonFloats = (tags: Tags): Tags =>
  pyyamlTags(tags).map((t) => (typeof t === 'object' && !('collection' in t) && t.tag === 'tag:yaml.org,2002:float' ? pythonFloat(t as ScalarTag) : t));

/** How to read: `pythonFloats`, a float stays a Python float (PyFloat) for templates (playbooks, roles, vars files). */
export interface AnsibleYamlOptions {
  pythonFloats?: boolean;
}

/** Node values one document may expand to through aliases: a billion-laughs file stops here, not in memory. */
export const MAX_ALIAS_EXPANSION = 10_000;

/** A syntax error or an alias bomb, with where it is (1-based line and column). */
export class AnsibleYamlError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number | undefined,
    readonly col: number | undefined,
  ) {
    super(reason);
    this.name = 'AnsibleYamlError';
  }
}

export interface AnsibleYaml {
  doc: Document;
  lineCounter: LineCounter;
  value: unknown;
}

const firstAlias = (doc: Document): number | undefined => {
  let at: number | undefined;
  visit(doc, {
    Alias: (_key, node) => {
      at = node.range?.[0];
      return visit.BREAK;
    },
  });
  return at;
};

// The yaml package's own duplicate-key check compares each key with every earlier one: quadratic, minutes
// for a 10,000-host group. The same check (scalar keys, strictly equal values) with a Set per mapping.
const firstDuplicateKey = (doc: Document): Node | undefined => {
  let found: Node | undefined;
  visit(doc, {
    Map: (_key, map) => {
      const seen = new Set<unknown>();
      for (const { key } of map.items) {
        if (!isScalar(key)) continue;
        if (seen.has(key.value)) {
          found = key;
          return visit.BREAK;
        }
        seen.add(key.value);
      }
      return undefined;
    },
  });
  return found;
};

// `a: 1` then `  b: 2` on the next line: the yaml package reports the line above ("nested mappings are not allowed
// in compact mappings"); the line to fix is the over-indented one
const OVER_INDENTED = new Set(['BLOCK_AS_IMPLICIT_KEY', 'MULTILINE_IMPLICIT_KEY']);
const OVER_INDENTED_REASON = 'this line is indented deeper than the keys above it: a key must line up with the other keys of its mapping';

const UNDER_INDENTED_REASON = 'this line is indented less than the keys above it: a key must line up with the other keys of its mapping';

// a position in a line's indentation, or past the end of the text, points at what the operator must look at: the
// line's first character, or the last line that has one
const visible = (text: string, pos: { line: number; col: number }): { line: number; col: number } => {
  const lines = text.split(/\r?\n/);
  for (let i = Math.min(pos.line, lines.length) - 1; i >= 0; i--) {
    const indent = lines[i].search(/\S/);
    if (indent < 0) continue;
    if (i === pos.line - 1) return { line: pos.line, col: Math.max(pos.col, indent + 1) };
    return { line: i + 1, col: lines[i].length };
  }
  return pos;
};

const nextKeyLine = (text: string, after: number): { line: number; col: number } | undefined => {
  const lines = text.split(/\r?\n/);
  for (let i = after; i < lines.length; i++) {
    const indent = lines[i].search(/\S/);
    if (indent >= 0 && !lines[i].trimStart().startsWith('#')) return { line: i + 1, col: indent + 1 };
  }
  return undefined;
};

/** Parse one YAML document with Ansible's rules; throws AnsibleYamlError (located) for bad input. */
export const parseAnsibleYaml = (source: string, options: AnsibleYamlOptions = {}): AnsibleYaml => {
  const lineCounter = new LineCounter();
  let text: string;
  try {
    // a whole file encrypted with ansible-vault is read as its plaintext
    text = readableText(source);
  } catch (e) {
    throw new AnsibleYamlError((e as Error).message, undefined, undefined);
  }
  const doc = parseDocument(text, {
    version: '1.1',
    customTags: options.pythonFloats ? withPythonFloats : pyyamlTags,
    lineCounter,
    prettyErrors: false,
    uniqueKeys: false,
  });
  const [first] = doc.errors;
  if (first) {
    const overIndented = OVER_INDENTED.has(first.code) ? nextKeyLine(text, first.linePos?.[0]?.line ?? lineCounter.linePos(first.pos[0]).line) : undefined;
    if (overIndented) throw new AnsibleYamlError(OVER_INDENTED_REASON, overIndented.line, overIndented.col);
    const pos = visible(text, first.linePos?.[0] ?? lineCounter.linePos(first.pos[0]));
    const reason = first.message.startsWith('Sequence item without - indicator') ? UNDER_INDENTED_REASON : first.message.split('\n')[0];
    throw new AnsibleYamlError(reason, pos.line, pos.col);
  }
  const duplicate = firstDuplicateKey(doc);
  if (duplicate) {
    const pos = lineCounter.linePos(duplicate.range?.[0] ?? 0);
    throw new AnsibleYamlError('Map keys must be unique', pos.line, pos.col);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSION });
  } catch (e) {
    // the yaml package signals alias problems (a bomb, an alias before its anchor) with a ReferenceError
    if (!(e instanceof ReferenceError)) throw e;
    const offset = firstAlias(doc);
    const pos = offset === undefined ? undefined : lineCounter.linePos(offset);
    const reason = /resource exhaustion/.test(e.message) ? `YAML aliases expand to more than ${MAX_ALIAS_EXPANSION} nodes (an alias bomb?)` : e.message;
    throw new AnsibleYamlError(reason, pos?.line, pos?.col);
  }
  return { doc, lineCounter, value };
};
