import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { isMap, isNode, isScalar, type Document, type LineCounter } from 'yaml';
import type { z } from 'zod';
import { describeIssue, firstIssue } from '../text/issue-message.js';
import { didYouMean } from '../text/nearest-word.js';
import { AnsibleYamlError, parseAnsibleYaml } from '../yaml/ansible-yaml.js';
import { codeExcerpt } from '../yaml/excerpt.js';
import { objectKeysAt } from './schema-keys.js';

/** Bad input, located: `file:line:col: field: message`, as an operator fixes it. */
export class SourceError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly col: number | undefined,
    readonly field: string | undefined,
    readonly detail: string,
  ) {
    const where = line === undefined ? displayPath(file) : `${displayPath(file)}:${line}:${col ?? 1}`;
    super(`${where}: ${field ? `${field}: ` : ''}${detail}`);
    this.name = 'SourceError';
  }
}

const displayPath = (file: string): string => {
  const rel = relative(process.cwd(), file);
  return rel === '' || rel.startsWith('..') ? file : rel;
};

/** A YAML mapping (not a list, not a scalar). */
export const isMapping = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export type PathPart = string | number;

/** A parsed YAML file that can say where any value in it came from. */
export interface YamlSource {
  file: string;
  value: unknown;
  /** line and column of the value at a path (or of the closest parent that exists) */
  locate(path: readonly PathPart[]): { line: number; col: number } | undefined;
  error(path: readonly PathPart[], message: string): SourceError;
  /** an error about a mapping key itself (an unknown keyword): located at the key, not its value */
  keyError(path: readonly PathPart[], message: string): SourceError;
}

export const fieldPath = (path: readonly PathPart[]): string =>
  path.reduce<string>((out, p) => (typeof p === 'number' ? `${out}[${p}]` : out ? `${out}.${p}` : p), '');

const locateIn = (doc: Document, lc: LineCounter, path: readonly PathPart[]) => {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return lc.linePos(node.range[0]);
  }
  return undefined;
};

const locateKey = (doc: Document, lc: LineCounter, path: readonly PathPart[]) => {
  const parent = doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === path[path.length - 1]);
  return pair && isNode(pair.key) && pair.key.range ? lc.linePos(pair.key.range[0]) : undefined;
};

/** Parse a playbook, role or vars file with Ansible's YAML 1.1 rules; bad YAML is a located SourceError. */
export const parseYaml = (text: string, file: string): YamlSource => {
  let parsed: ReturnType<typeof parseAnsibleYaml>;
  try {
    parsed = parseAnsibleYaml(text, { pythonFloats: true });
  } catch (e) {
    if (!(e instanceof AnsibleYamlError)) throw e;
    const excerpt = e.line === undefined ? '' : `\n${codeExcerpt(text, e.line, e.col ?? 1)}`;
    throw new SourceError(file, e.line, e.col, undefined, `YAML syntax error: ${e.reason}${excerpt}`);
  }
  const { doc, lineCounter } = parsed;
  const locate = (path: readonly PathPart[]) => locateIn(doc, lineCounter, path);
  return {
    file,
    value: parsed.value,
    locate,
    error: (path, message) => {
      const pos = locate(path);
      return new SourceError(file, pos?.line, pos?.col, fieldPath(path) || undefined, message);
    },
    keyError: (path, message) => {
      const pos = locateKey(doc, lineCounter, path) ?? locate(path);
      return new SourceError(file, pos?.line, pos?.col, fieldPath(path) || undefined, message);
    },
  };
};

export const loadYaml = async (file: string): Promise<YamlSource> => {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new SourceError(file, undefined, undefined, undefined, `cannot read: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  return parseYaml(text, file);
};

/** Validate a value from a YAML file; the first zod issue becomes a located SourceError. */
export const validate = <S extends z.ZodType>(schema: S, value: unknown, source: YamlSource, base: readonly PathPart[] = []): z.output<S> => {
  const res = schema.safeParse(value);
  if (res.success) return res.data;
  const issue = firstIssue(res.error.issues);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    throw source.keyError([...base, ...(issue.path as PathPart[]), key], `unknown keyword '${key}'${didYouMean(key, objectKeysAt(schema, issue.path))}`);
  }
  const words = describeIssue(issue, value);
  throw source.error([...base, ...(words.path as PathPart[])], words.message);
};
