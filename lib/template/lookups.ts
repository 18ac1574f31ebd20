import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { globToRegExp } from '../inventory/fnmatch.js';
import { FilterError } from './filters.js';
import { addSecret } from './known-secrets.js';
import { pyStr } from './python-repr.js';

/** What a lookup may use: the task's variables (where the role and playbook are) and the template renderer. */
export interface LookupEnv {
  vars: Record<string, unknown>;
  renderTemplate(text: string): string;
}

type Lookup = (terms: unknown[], kwargs: Record<string, unknown>, env: LookupEnv) => unknown[];

// where `lookup('file', 'x')` looks, as Ansible: the role's files/ (templates/ for template), then the playbook's
const searchPaths = (env: LookupEnv, sub: string): string[] => {
  const dirs: string[] = [];
  const role = env.vars.role_path;
  const playbook = env.vars.playbook_dir;
  if (typeof role === 'string') dirs.push(join(role, sub), role);
  if (typeof playbook === 'string') dirs.push(join(playbook, sub), playbook);
  return dirs;
};

const find = (name: string, env: LookupEnv, sub: string): string => {
  const candidates = isAbsolute(name) ? [name] : searchPaths(env, sub).map((d) => join(d, name));
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new FilterError(`lookup: could not find '${name}' (looked in ${candidates.join(', ')})`);
  return found;
};

// fileglob's patterns match file names in one directory (`files/*.conf`), files only, as Ansible's
const globSync = (pattern: string): string[] => {
  const dir = dirname(pattern);
  const name = basename(pattern);
  try {
    return readdirSync(dir)
      .filter((f) => globToRegExp(name).test(f) && statSync(join(dir, f)).isFile())
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
};

const CHARSETS: Record<string, string> = {
  ascii_letters: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
  ascii_lowercase: 'abcdefghijklmnopqrstuvwxyz',
  ascii_uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  digits: '0123456789',
  hexdigits: '0123456789abcdefABCDEF',
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
};

// `lookup('password', '/path length=20 chars=ascii_letters,digits')`: created once, 0600, read after; never shown
const password = (term: string, kwargs: Record<string, unknown>): string => {
  const [path, ...words] = term.trim().split(/\s+/);
  const options = Object.fromEntries(words.map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
  const opts = { ...options, ...kwargs };
  if (path !== '/dev/null' && existsSync(path)) {
    const value = readFileSync(path, 'utf8')
      .split('\n')[0]
      .replace(/ salt=.*$/, '');
    addSecret(value);
    return value;
  }
  const chars = String(opts.chars ?? 'ascii_letters,digits,.,:-_')
    .split(',')
    .map((c) => CHARSETS[c] ?? c)
    .join('');
  const length = Number(opts.length ?? 20);
  const value = Array.from({ length }, () => chars[randomInt(chars.length)]).join('');
  addSecret(value);
  if (path !== '/dev/null') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${value}\n`, { mode: 0o600 });
  }
  return value;
};

const LOOKUPS: Record<string, Lookup> = {
  env: (terms, kwargs) => terms.map((t) => process.env[pyStr(t)] ?? (kwargs.default === undefined ? '' : pyStr(kwargs.default))),
  file: (terms, kwargs, env) =>
    terms.map((t) => {
      const text = readFileSync(find(pyStr(t), env, 'files'), 'utf8');
      return kwargs.rstrip === false ? text : text.replace(/\s+$/, '');
    }),
  template: (terms, _k, env) => terms.map((t) => env.renderTemplate(readFileSync(find(pyStr(t), env, 'templates'), 'utf8'))),
  // the command runs on the controller through sh, as Ansible's pipe lookup does
  pipe: (terms) => terms.map((t) => execFileSync('/bin/sh', ['-c', pyStr(t)], { encoding: 'utf8' }).replace(/\n$/, '')),
  fileglob: (terms, _k, env) =>
    terms.flatMap((t) => {
      const pattern = pyStr(t);
      const base = isAbsolute(pattern) ? '' : (searchPaths(env, 'files').find((d) => globSync(join(d, pattern)).length > 0) ?? '');
      return globSync(base ? join(base, pattern) : pattern).sort();
    }),
  password: (terms, kwargs) => terms.map((t) => password(pyStr(t), kwargs)),
  items: (terms) => terms.flat(),
  list: (terms) => terms,
  indexed_items: (terms) => terms.flat().map((t, i) => [i, t]),
  dict: (terms) => terms.flatMap((d) => Object.entries(d as Record<string, unknown>).map(([key, value]) => ({ key, value }))),
  vars: (terms, kwargs, env) =>
    terms.map((t) => {
      const name = pyStr(t);
      if (name in env.vars) return env.vars[name];
      if (kwargs.default !== undefined) return kwargs.default;
      throw new FilterError(`No variable found with this name: ${name}`);
    }),
  first_found: (terms, _k, env) => {
    const names = terms.flat().map(pyStr);
    for (const n of names) {
      const c = isAbsolute(n) ? [n] : searchPaths(env, 'files').map((d) => join(d, n));
      const hit = c.find((p) => existsSync(p));
      if (hit) return [hit];
    }
    throw new FilterError(`No file was found when using first_found: ${names.join(', ')}`);
  },
};

/** `lookup(name, ...)`: a string (the results joined with commas), or the list with wantlist=True. */
export const lookup = (name: unknown, terms: unknown[], kwargs: Record<string, unknown>, env: LookupEnv, wantList: boolean): unknown => {
  const fn = LOOKUPS[pyStr(name)];
  if (!fn) throw new FilterError(`lookup plugin '${pyStr(name)}' not found (nop has: ${Object.keys(LOOKUPS).join(', ')})`);
  const { wantlist, errors: _e, ...rest } = kwargs;
  const out = fn(terms, rest, env);
  if (wantList || wantlist === true) return out;
  return out.length === 1 ? out[0] : out.map(pyStr).join(',');
};
