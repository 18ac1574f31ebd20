import { readFile } from 'node:fs/promises';
import { FreeFormError, parseKeyValues } from '../runner/free-form.js';
import { RunError } from '../runner/run-error.js';
import { isMapping, parseYaml, SourceError } from '../runner/source.js';

/** A bad command-line option: exit 5, as ansible-playbook's AnsibleOptionsError. */
export class OptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptionError';
  }
}

const mapping = (data: unknown, value: string): Record<string, unknown> => {
  if (isMapping(data)) return data;
  throw new OptionError(`Invalid extra vars data supplied. '${value}' could not be made into a dictionary`);
};

// `@file.yml`: YAML (JSON is YAML) read as playbooks are; a syntax error names its line (exit 4)
const fromFile = async (value: string): Promise<Record<string, unknown>> => {
  const file = value.slice(1);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new RunError(`-e ${value}: could not read ${file} (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  const src = parseYaml(text, file);
  return mapping(src.value ?? {}, value);
};

// `k=v k2="a b"`: Ansible's key=value form (parse_kv); values stay strings, as ansible-playbook leaves them
const fromKeyValues = (value: string): Record<string, unknown> => {
  let parsed: ReturnType<typeof parseKeyValues>;
  try {
    parsed = parseKeyValues(value);
  } catch (e) {
    if (!(e instanceof FreeFormError)) throw e;
    throw new OptionError(`-e: ${e.message}`);
  }
  if (parsed.raw !== undefined) throw new OptionError(`-e: '${parsed.raw}' is not key=value (expected key=value, JSON, or @file)`);
  return parsed.options;
};

/** One `-e` value: `k=v ...`, an inline YAML/JSON mapping, or `@file.yml`, as ansible-playbook reads them. */
export const parseExtraVars = async (value: string): Promise<Record<string, unknown>> => {
  if (value.startsWith('@')) return fromFile(value);
  const trimmed = value.trim();
  if (trimmed.startsWith('/') || trimmed.startsWith('.')) throw new OptionError(`Please prepend extra_vars filename '${value}' with '@'`);
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return mapping(parseYaml(trimmed, '-e').value, value);
    } catch (e) {
      if (!(e instanceof SourceError)) throw e;
      throw new OptionError(`-e: invalid JSON or YAML: ${value} (${e.detail})`);
    }
  }
  return fromKeyValues(trimmed);
};

export const mergeExtraVars = async (values: readonly string[]): Promise<Record<string, unknown>> => {
  let out: Record<string, unknown> = {};
  for (const v of values) out = { ...out, ...(await parseExtraVars(v)) };
  return out;
};
