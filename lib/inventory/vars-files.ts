import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { InventoryError } from './errors.js';
import type { Vars, VarsFiles } from './model.js';
import { inventoryVarsSchema } from './yaml-schema.js';
import { parseYamlSource } from './yaml-source.js';

// Ansible's host_group_vars plugin: group_vars/<group> and host_vars/<host> beside an inventory
// source or the playbook, as a file (no extension, .yml, .yaml or .json: the first found wins) or
// a directory whose files are merged in lexical order.

const EXTENSIONS = ['', '.yml', '.yaml', '.json'];

const kindOf = async (path: string): Promise<'file' | 'dir' | undefined> => {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
};

const sortedNames = async (dir: string): Promise<string[]> => (await readdir(dir)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** Files of a vars directory, recursively, sorted; hidden files, backups and other extensions are skipped. */
const dirVarsFiles = async (dir: string): Promise<string[]> => {
  const found: string[] = [];
  for (const name of await sortedNames(dir)) {
    if (name.startsWith('.') || name.endsWith('~')) continue;
    const path = join(dir, name);
    const ext = extname(name);
    const kind = await kindOf(path);
    if (kind === 'dir' && !ext) found.push(...(await dirVarsFiles(path)));
    else if (kind === 'file' && EXTENSIONS.includes(ext)) found.push(path);
  }
  return found;
};

const findVarsFiles = async (base: string, name: string, present: ReadonlySet<string>): Promise<string[]> => {
  for (const ext of EXTENSIONS) {
    if (!present.has(`${name}${ext}`)) continue;
    const path = join(base, `${name}${ext}`);
    const kind = await kindOf(path);
    if (kind === 'dir') return dirVarsFiles(path);
    if (kind === 'file') return [path];
  }
  return [];
};

export const loadVarsFile = async (file: string): Promise<Vars> => {
  const src = parseYamlSource(file, await readFile(file, 'utf8'));
  if (src.data === null || src.data === undefined) return {};
  const parsed = inventoryVarsSchema.safeParse(src.data);
  if (!parsed.success) throw new InventoryError('must be stored as a dictionary/hash (a mapping of variable names to values)', src.locate([]));
  return parsed.data;
};

const mergedVars = async (base: string, name: string, present: ReadonlySet<string>): Promise<Vars | undefined> => {
  const files = await findVarsFiles(base, name, present);
  if (files.length === 0) return undefined;
  let vars: Vars = {};
  for (const file of files) vars = { ...vars, ...(await loadVarsFile(file)) };
  return vars;
};

const namedVars = async (base: string, names: readonly string[]): Promise<Map<string, Vars>> => {
  const found = new Map<string, Vars>();
  if ((await kindOf(base)) !== 'dir') return found;
  // one directory listing, not four stats per host of a large inventory
  const present = new Set(await readdir(base));
  for (const name of names) {
    const vars = await mergedVars(base, name, present);
    if (vars) found.set(name, vars);
  }
  return found;
};

/** The group_vars/ and host_vars/ of `dir` for the given groups and hosts. */
export const loadVarsFiles = async (dir: string, groups: readonly string[], hosts: readonly string[]): Promise<VarsFiles> => ({
  dir,
  groups: await namedVars(join(dir, 'group_vars'), groups),
  hosts: await namedVars(join(dir, 'host_vars'), hosts),
});
