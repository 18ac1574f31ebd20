import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { isMapping } from '../runner/source.js';

export class OptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptionError';
  }
}

// `k=v k2="a b"`: Ansible's key=value form; values stay strings, as ansible-playbook leaves them
const parseKeyValues = (s: string): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  const re = /([A-Za-z_][\w]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g;
  let consumed = '';
  for (const m of s.matchAll(re)) {
    out[m[1]] = m[2].replace(/^(["'])(.*)\1$/s, '$2');
    consumed += m[0];
  }
  if (consumed.replace(/\s/g, '').length !== s.replace(/\s/g, '').length) throw new OptionError(`-e: cannot parse "${s}" (expected key=value, JSON, or @file)`);
  return out;
};

/** One `-e` value: `k=v ...`, inline JSON/YAML mapping, or `@file.yml`. */
export const parseExtraVars = async (value: string): Promise<Record<string, unknown>> => {
  if (value.startsWith('@')) {
    const file = value.slice(1);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new OptionError(`-e: cannot read ${file}`);
    }
    const data = parse(text) as unknown;
    if (!isMapping(data)) throw new OptionError(`-e: ${file} must hold a mapping of variables`);
    return data;
  }
  const trimmed = value.trim();
  if (trimmed.startsWith('{')) {
    try {
      const data = parse(trimmed) as unknown;
      if (isMapping(data)) return data;
    } catch {
      // fall through to the error below
    }
    throw new OptionError(`-e: invalid JSON: ${value}`);
  }
  return parseKeyValues(trimmed);
};

export const mergeExtraVars = async (values: readonly string[]): Promise<Record<string, unknown>> => {
  let out: Record<string, unknown> = {};
  for (const v of values) out = { ...out, ...(await parseExtraVars(v)) };
  return out;
};
