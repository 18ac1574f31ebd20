import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { asBoolean, BOOLEAN_HINT } from '../template/boolean.js';
import { CfgError, parseCfg, type CfgFile } from './cfg-file.js';
import { findConfig } from './find-config.js';
import { DEFAULT_INVENTORY } from '../inventory/load.js';

// each value arrives as text (a file or the environment): these schemas turn it into its type, with messages in words
const integer = (min: number) =>
  z
    .string()
    .trim()
    .refine((v) => /^\d+$/.test(v), 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= min, `must be at least ${min}`);
// Ansible's one boolean conversion, shared with the rest of nop
const boolean = z
  .string()
  .refine((v) => asBoolean(v) !== undefined, `must be ${BOOLEAN_HINT}`)
  .transform((v) => asBoolean(v) === true);
const text = z.string().trim().min(1, 'must not be empty');
// relative paths in a config file are relative to the file (as in Ansible), in the environment to the working directory
const path = (base: string) => text.transform((p) => (p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(1)) : isAbsolute(p) ? p : resolve(base, p)));
const pathList = (base: string) =>
  text.transform((v, ctx) => {
    const parts = v
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    return parts.map((p) => {
      const parsed = path(base).safeParse(p);
      if (!parsed.success) ctx.addIssue({ code: 'custom', message: 'must list paths, separated by commas' });
      return parsed.success ? parsed.data : p;
    });
  });

/** The settings nop reads from nop.cfg / ansible.cfg ([defaults]) and the environment: Ansible's names and meanings. */
const SETTINGS = {
  inventory: { env: ['NOP_INVENTORY', 'ANSIBLE_INVENTORY'], schema: pathList, fallback: [DEFAULT_INVENTORY] },
  forks: { env: ['NOP_FORKS', 'ANSIBLE_FORKS'], schema: () => integer(1), fallback: 5 },
  remote_user: { env: ['NOP_REMOTE_USER', 'ANSIBLE_REMOTE_USER'], schema: () => text, fallback: undefined },
  private_key_file: { env: ['NOP_PRIVATE_KEY_FILE', 'ANSIBLE_PRIVATE_KEY_FILE'], schema: path, fallback: undefined },
  host_key_checking: { env: ['NOP_HOST_KEY_CHECKING', 'ANSIBLE_HOST_KEY_CHECKING'], schema: () => boolean, fallback: true },
  timeout: { env: ['NOP_TIMEOUT', 'ANSIBLE_TIMEOUT'], schema: () => integer(1), fallback: 10 },
} as const;

export type SettingName = keyof typeof SETTINGS;
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

type ValueOf<K extends SettingName> = z.output<ReturnType<(typeof SETTINGS)[K]['schema']>> | (typeof SETTINGS)[K]['fallback'];

/** A setting's value and where it came from (`NOP_FORKS`, `nop.cfg:3`, `default`). */
export interface Setting<T> {
  value: T;
  origin: string;
}

export type Settings = { [K in SettingName]: Setting<ValueOf<K>> };

export interface LoadedSettings {
  settings: Settings;
  /** the config file read, if any */
  file?: string;
  warnings: string[];
}

/** A value in the environment or a config file that nop cannot use; the message names where it is. */
export class SettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingError';
  }
}

const convert = <K extends SettingName>(name: K, raw: string, base: string, where: string): ValueOf<K> => {
  const parsed = SETTINGS[name].schema(base).safeParse(raw);
  if (!parsed.success) throw new SettingError(`${where}: ${name} ${parsed.error.issues[0].message}, got "${raw}"`);
  return parsed.data as ValueOf<K>;
};

const resolveSetting = <K extends SettingName>(name: K, env: NodeJS.ProcessEnv, cwd: string, cfg: CfgFile | undefined): Setting<ValueOf<K>> => {
  for (const variable of SETTINGS[name].env) {
    const raw = env[variable];
    if (raw !== undefined && raw !== '') return { value: convert(name, raw, cwd, variable), origin: variable };
  }
  const entry = cfg?.sections.get('defaults')?.get(name);
  if (cfg && entry) {
    const where = `${cfg.path}:${entry.line}`;
    return { value: convert(name, entry.value, dirname(cfg.path), where), origin: where };
  }
  return { value: SETTINGS[name].fallback as ValueOf<K>, origin: 'default' };
};

// nop.cfg is nop's own file: a key it does not know is probably a typo. ansible.cfg holds many settings for
// Ansible alone, read by nop only for the ones above.
const unknownKeys = (cfg: CfgFile): string[] => {
  if (!basename(cfg.path).includes('nop')) return [];
  const known = new Set<string>(SETTING_NAMES);
  return [...(cfg.sections.get('defaults') ?? new Map())]
    .filter(([key]) => !known.has(key))
    .map(([key, entry]) => `${cfg.path}:${entry.line}: "${key}" is not a nop setting (nop reads ${SETTING_NAMES.join(', ')}): ignored`);
};

/**
 * nop's settings, with Ansible's precedence below the command line (which the caller applies on top):
 * NOP_* environment variables, then ANSIBLE_* ones, then the config file's [defaults], then the defaults.
 */
export const loadSettings = async (env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), home?: string): Promise<LoadedSettings> => {
  const found = await findConfig(env, cwd, home);
  let cfg: CfgFile | undefined;
  if (found.path) {
    try {
      cfg = parseCfg(await readFile(found.path, 'utf8'), found.path);
    } catch (e) {
      if (e instanceof CfgError) throw new SettingError(e.message);
      throw new SettingError(`cannot read ${found.path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const settings = Object.fromEntries(SETTING_NAMES.map((name) => [name, resolveSetting(name, env, cwd, cfg)])) as Settings;
  return { settings, file: found.path, warnings: [...found.warnings, ...(cfg ? unknownKeys(cfg) : [])] };
};
