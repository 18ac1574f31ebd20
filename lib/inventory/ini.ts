import { InventoryError } from './errors.js';
import { expandHostPattern } from './host-range.js';
import { addChild, addGroup, addHost, setGroupVar, setHostVar, UNGROUPED, type Inventory } from './model.js';
import { parseIniValue } from './python-literal.js';
import { splitShellWords } from './shell-words.js';

// Ansible's INI inventory plugin (lib/ansible/plugins/inventory/ini.py), line for line in behaviour.

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/;

type State = 'hosts' | 'children' | 'vars';

interface Pending {
  line: number;
  state: State;
  parents: string[];
}

interface IniParse {
  inv: Inventory;
  file: string;
  line: number;
  group: string;
  state: State;
  pending: Map<string, Pending>;
}

const error = (p: IniParse, message: string, line = p.line): InventoryError => new InventoryError(message, { file: p.file, line });

const addPendingChildren = (p: IniParse, group: string): void => {
  const decl = p.pending.get(group);
  if (!decl) return;
  p.pending.delete(group);
  for (const parent of decl.parents) {
    addChild(p.inv, parent, group, { file: p.file, line: decl.line });
    if (p.pending.get(parent)?.state === 'children') addPendingChildren(p, parent);
  }
};

const section = (p: IniParse, m: RegExpExecArray): void => {
  const [, group, kind = 'hosts'] = m;
  if (kind !== 'hosts' && kind !== 'children' && kind !== 'vars') throw error(p, `Section [${group}:${kind}] has unknown type: ${kind}`);
  p.group = group;
  p.state = kind;
  if (!p.inv.groups.has(group)) {
    // [g:vars] alone does not declare g: remember it and complain at the end if nothing else does
    if (kind === 'vars' && !p.pending.has(group)) p.pending.set(group, { line: p.line, state: kind, parents: [] });
    addGroup(p.inv, group);
  }
  if (kind === 'vars') return;
  const decl = p.pending.get(group);
  if (decl?.state === 'children') addPendingChildren(p, group);
  else if (decl?.state === 'vars') p.pending.delete(group);
};

const hostLine = (p: IniParse, line: string): void => {
  let tokens: string[];
  try {
    tokens = splitShellWords(line);
  } catch (e) {
    throw error(p, `Error parsing host definition '${line}': ${(e as Error).message}`);
  }
  if (tokens.length === 0) return;
  const at = { file: p.file, line: p.line };
  const [entry, ...assignments] = tokens;
  const { hostnames, port } = expandHostPattern(entry, at);
  if (hostnames.some((h) => h.trim() === '---')) throw error(p, `Invalid host pattern '${entry}' supplied, '---' is normally a sign this is a YAML file.`);
  const vars = assignments.map((t) => {
    const eq = t.indexOf('=');
    if (eq < 0) throw error(p, `Expected key=value host variable assignment, got: ${t}`);
    return [t.slice(0, eq), parseIniValue(t.slice(eq + 1))] as const;
  });
  for (const name of hostnames) {
    const host = addHost(p.inv, name, p.group, p.file);
    if (port !== undefined) setHostVar(host, 'ansible_port', port);
    for (const [k, v] of vars) setHostVar(host, k, v);
  }
};

const varLine = (p: IniParse, line: string): void => {
  const eq = line.indexOf('=');
  if (eq < 0) throw error(p, `Expected key=value, got: ${line}`);
  setGroupVar(p.inv, p.group, line.slice(0, eq).trim(), parseIniValue(line.slice(eq + 1).trim()), { file: p.file, line: p.line });
};

const childLine = (p: IniParse, line: string): void => {
  const child = GROUP_NAME.exec(line)?.[1];
  if (!child) throw error(p, `Expected group name, got: ${line}`);
  if (p.inv.groups.has(child)) {
    addChild(p.inv, p.group, child, { file: p.file, line: p.line });
    return;
  }
  const decl = p.pending.get(child);
  if (decl) decl.parents.push(p.group);
  else p.pending.set(child, { line: p.line, state: 'children', parents: [p.group] });
};

const entryLine = (p: IniParse, line: string): void => {
  if (p.state === 'hosts') hostLine(p, line);
  else if (p.state === 'vars') varLine(p, line);
  else childLine(p, line);
};

const reportPending = (p: IniParse): void => {
  for (const [name, decl] of p.pending) {
    if (decl.state === 'vars') throw error(p, `Section [${name}:vars] not valid for undefined group '${name}'.`, decl.line);
    throw error(p, `Section [${decl.parents[decl.parents.length - 1]}:children] includes undefined group '${name}'.`, decl.line);
  }
};

/** Parse an INI inventory into `inv`. Lines before the first section are hosts of `ungrouped`. */
export const parseIniInventory = (inv: Inventory, file: string, text: string): void => {
  const p: IniParse = { inv, file, line: 0, group: UNGROUPED, state: 'hosts', pending: new Map() };
  for (const raw of text.split(/\r?\n/)) {
    p.line += 1;
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const m = SECTION.exec(line);
    if (m) {
      section(p, m);
      continue;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      throw error(
        p,
        `Invalid section entry: '${line}'. Please make sure that there are no spaces in the section entry, and that there are no other invalid characters`,
      );
    }
    entryLine(p, line);
  }
  reportPending(p);
};
