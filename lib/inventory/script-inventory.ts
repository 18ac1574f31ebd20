import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { InventoryError } from './errors.js';
import { addChild, addGroup, addHost, setGroupVar, setHostVar, type Inventory } from './model.js';

const run = promisify(execFile);

const isMapping = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Ansible's script plugin takes an executable file: it is run with `--list` (a file it cannot run is read as YAML or INI). */
export const isExecutable = (path: string): Promise<boolean> =>
  access(path, constants.X_OK).then(
    () => true,
    () => false,
  );

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

// JSON read with every integer exact (Python's json keeps big ones): a BigInt only past 2^53, as the YAML loader does
const exactNumbers = (v: unknown): unknown => {
  if (typeof v === 'bigint') return v > SAFE || v < -SAFE ? v : Number(v);
  if (Array.isArray(v)) return v.map(exactNumbers);
  if (isMapping(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, exactNumbers(x)]));
  return v;
};

// the script's stdout as JSON, or the reason it is not (its stderr said why it failed)
const runScript = async (path: string, args: string[]): Promise<unknown> => {
  let stdout: string;
  try {
    ({ stdout } = await run(path, args, { maxBuffer: 512 << 20, encoding: 'utf8' }));
  } catch (e) {
    const err = e as { stderr?: string; code?: unknown; message: string };
    throw new InventoryError(`Inventory script (${path}) had an execution error: ${(err.stderr || err.message).trim()}`);
  }
  try {
    return exactNumbers(parse(stdout, { schema: 'json', intAsBigInt: true }));
  } catch (e) {
    throw new InventoryError(`failed to parse executable inventory script results from ${path} ${args.join(' ')}: ${(e as Error).message}`);
  }
};

// `{"web": ["a", "b"]}`, `{"web": {"hosts": [...], "vars": {...}, "children": [...]}}`, or (a mapping with none of those
// keys) a host of the group's name with those variables: the forms Ansible's script plugin accepts
const parseGroup = (inv: Inventory, path: string, name: string, raw: unknown, hosts: Set<string>): void => {
  addGroup(inv, name);
  const data = !isMapping(raw) ? { hosts: raw } : ['hosts', 'vars', 'children'].some((k) => k in raw) ? raw : { hosts: [name], vars: raw };
  if ('hosts' in data) {
    if (!Array.isArray(data.hosts))
      throw new InventoryError(`You defined a group '${name}' with bad data for the host list: ${JSON.stringify(data.hosts)}`, { file: path });
    for (const h of data.hosts) {
      addHost(inv, String(h), name, path);
      hosts.add(String(h));
    }
  }
  if ('vars' in data) {
    if (!isMapping(data.vars))
      throw new InventoryError(`You defined a group '${name}' with bad data for variables: ${JSON.stringify(data.vars)}`, { file: path });
    for (const [k, v] of Object.entries(data.vars)) setGroupVar(inv, name, k, v, { file: path });
  }
  if ('children' in data && Array.isArray(data.children)) {
    for (const child of data.children) {
      addGroup(inv, String(child));
      addChild(inv, name, String(child), { file: path });
    }
  }
};

/**
 * An executable inventory, as Ansible's script plugin runs it: `SCRIPT --list` prints a JSON object of groups; the
 * host variables come from its `_meta.hostvars`, or, when it has none, from `SCRIPT --host NAME` for each host.
 */
export const parseScriptInventory = async (inv: Inventory, path: string): Promise<void> => {
  const listed = await runScript(path, ['--list']);
  if (!isMapping(listed)) throw new InventoryError(`failed to parse executable inventory script results from ${path}: needs to be a json dict`);
  const hosts = new Set<string>();
  let meta: unknown;
  for (const [group, data] of Object.entries(listed)) {
    if (group === '_meta') meta = isMapping(data) ? data.hostvars : undefined;
    else parseGroup(inv, path, group, data, hosts);
  }
  for (const name of hosts) {
    const vars = meta === undefined ? await runScript(path, ['--host', name]) : isMapping(meta) ? (meta[name] ?? {}) : undefined;
    if (!isMapping(vars)) throw new InventoryError(`Improperly formatted host information for ${name}`, { file: path });
    const host = inv.hosts.get(name)!;
    for (const [k, v] of Object.entries(vars)) setHostVar(host, k, v);
  }
};
