import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { parseAddress } from './address.js';
import { InventoryError, MissingInventoryError } from './errors.js';
import { parseIniInventory } from './ini.js';
import { LOCALHOST_NAMES } from './localhost.js';
import { addHost, createInventory, reconcile, setHostVar, UNGROUPED, type Inventory } from './model.js';
import { loadVarsFiles } from './vars-files.js';
import { parseYamlInventory } from './yaml-inventory.js';
import { parseYamlSource } from './yaml-source.js';
import { isExecutable, parseScriptInventory } from './script-inventory.js';

export interface LoadInventoryOptions {
  /** also read group_vars/ and host_vars/ beside the playbook, as ansible-playbook does */
  playbookDir?: string;
}

const YAML_EXTENSIONS = ['.yml', '.yaml', '.json'];
// Ansible's INVENTORY_IGNORE_EXTS (REJECT_EXTS + .orig, .ini, .cfg, .retry) and the names it always skips: in a
// directory an .ini file is skipped (it is read when named itself)
const IGNORED_EXTENSIONS = ['.pyc', '.pyo', '.swp', '.bak', '~', '.rpm', '.md', '.txt', '.rst', '.orig', '.ini', '.cfg', '.retry'];
const IGNORED_NAMES = ['group_vars', 'host_vars', 'vars_plugins'];

const statOf = (path: string) => stat(path).catch(() => undefined);

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const parseYamlFile = (inv: Inventory, file: string, text: string): void => parseYamlInventory(inv, parseYamlSource(file, text));

/** No telling extension: YAML when the text is a YAML mapping, INI otherwise (Ansible tries its yaml plugin, then ini). */
const parseUntyped = (inv: Inventory, file: string, text: string): void => {
  let yamlData: unknown;
  let yamlError: InventoryError | undefined;
  try {
    yamlData = parseYamlSource(file, text).data;
  } catch (e) {
    if (!(e instanceof InventoryError)) throw e;
    yamlError = e;
  }
  if (yamlData !== null && typeof yamlData === 'object' && !Array.isArray(yamlData)) {
    parseYamlFile(inv, file, text);
    return;
  }
  try {
    parseIniInventory(inv, file, text);
  } catch (e) {
    // a broken YAML file would otherwise be reported only as a puzzling INI error
    if (!(e instanceof InventoryError) || !yamlError) throw e;
    throw new InventoryError(`${e.reason} (read as INI; as YAML it fails at line ${yamlError.at?.line}: ${yamlError.reason})`, e.at);
  }
};

const parseFile = async (inv: Inventory, file: string): Promise<void> => {
  const ext = extname(file).toLowerCase();
  const text = await readFile(file, 'utf8');
  // Ansible tries its script plugin first: an executable file is run. One without `#!` (an INI or YAML file with an
  // executable bit from a checkout) cannot be run (execve refuses it) and Ansible reads it as YAML or INI: so does nop
  if (text.startsWith('#!') && (await isExecutable(file))) return parseScriptInventory(inv, file);
  if (YAML_EXTENSIONS.includes(ext)) parseYamlFile(inv, file, text);
  else if (ext === '.ini') parseIniInventory(inv, file, text);
  else parseUntyped(inv, file, text);
};

/** Ansible's default inventory, read when none is given; unlike any other source, it may be missing. */
export const DEFAULT_INVENTORY = '/etc/ansible/hosts';

const isInventoryFileName = (name: string): boolean => {
  const ext = extname(name).toLowerCase();
  return ext === '' || ext === '.ini' || YAML_EXTENSIONS.includes(ext);
};

const isIgnored = (name: string): boolean => name.startsWith('.') || IGNORED_NAMES.includes(name) || IGNORED_EXTENSIONS.some((ext) => name.endsWith(ext));

const parseDirectory = async (inv: Inventory, dir: string): Promise<void> => {
  for (const name of (await readdir(dir)).sort(byName)) {
    if (isIgnored(name)) continue;
    const path = join(dir, name);
    const s = await statOf(path);
    if (s?.isDirectory()) await parseDirectory(inv, path);
    else if (s?.isFile() && (isInventoryFileName(name) || (await isExecutable(path)))) await parseFile(inv, path);
    else inv.warnings.push(`Unable to parse ${path} as an inventory source (not .yml, .yaml, .json, .ini or extensionless)`);
  }
};

/** Ansible's host_list source: `-i 'gpu1,10.0.0.7:2222,'`. */
const parseHostList = (inv: Inventory, list: string): void => {
  for (const entry of list
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const address = parseAddress(entry, false);
    const host = addHost(inv, address?.host ?? entry, UNGROUPED, null);
    if (address?.port !== undefined) setHostVar(host, 'ansible_port', address.port);
  }
};

const parseSource = async (inv: Inventory, source: string): Promise<void> => {
  const s = await statOf(source);
  if (s?.isDirectory()) return parseDirectory(inv, source);
  if (s?.isFile()) return parseFile(inv, source);
  if (source.includes(',')) return parseHostList(inv, source);
  // the default inventory may be absent (Ansible does not warn either): only the implicit localhost is left
  if (source === DEFAULT_INVENTORY) return;
  throw new MissingInventoryError(source);
};

const varsDirOf = async (source: string): Promise<string | undefined> => {
  const s = await statOf(source);
  if (s?.isDirectory()) return source;
  return s?.isFile() ? dirname(source) : undefined;
};

/**
 * Load inventories as Ansible does: files (YAML or INI), directories of them, or `a,b,` host lists;
 * several sources merge into one inventory. Bad input throws an InventoryError naming file and line.
 */
export const loadInventory = async (sources: readonly string[], opts: LoadInventoryOptions = {}): Promise<Inventory> => {
  // a host list is not a path: keep it as written
  const paths = sources.map((s) => (s.includes(',') ? s : resolve(s)));
  const inv = createInventory(paths);
  for (const source of paths) await parseSource(inv, source);
  reconcile(inv);
  const groups = [...inv.groups.keys()];
  const hosts = [...new Set([...inv.hosts.keys(), ...LOCALHOST_NAMES])];
  for (const source of paths) {
    const dir = await varsDirOf(source);
    if (dir) inv.inventoryVarsFiles.push(await loadVarsFiles(dir, groups, hosts));
  }
  if (opts.playbookDir) inv.playbookVarsFiles.push(await loadVarsFiles(resolve(opts.playbookDir), groups, hosts));
  return inv;
};
