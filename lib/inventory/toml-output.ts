import { floatRepr, PyFloat } from '../template/py-float.js';
import { withoutUnsafe } from '../template/unsafe.js';
import { vaultTextOf } from '../vault/vault-passwords.js';
import { InventoryError } from './errors.js';
import { ALL, type Inventory, UNGROUPED } from './model.js';
import { type InventoryOutputOptions, shownGroupVars, shownHostVars } from './output.js';

// What `ansible-inventory --list --toml` prints (lib/ansible/cli/inventory.py toml_inventory, written out by
// python's toml 0.10 library): groups flat at the top level in tree order, `all` left out, tables after values.

type Table = Record<string, unknown>;

export const inventoryToml = (inv: Inventory, opts: InventoryOutputOptions = {}): Table => {
  const seen = new Set<string>();
  const hasUngrouped = (inv.groups.get(UNGROUPED)?.hosts.length ?? 0) > 0;
  const results: Table = {};
  const format = (name: string): void => {
    const group = inv.groups.get(name);
    if (!group) return;
    const entry: Table = {};
    // the group's key is placed before its subgroups', as Python's dict insertion order places it
    results[name] = entry;
    const children: string[] = [];
    for (const child of group.children) {
      if (child === UNGROUPED && !hasUngrouped) continue;
      if (name !== ALL) children.push(child);
      format(child);
    }
    if (children.length) entry.children = children;
    if (name !== ALL && group.hosts.length) {
      const hosts: Table = {};
      for (const h of group.hosts) {
        hosts[h] = seen.has(h) ? {} : shownHostVars(inv, h, opts);
        seen.add(h);
      }
      entry.hosts = hosts;
    }
    const vars = opts.export ? shownGroupVars(inv, name) : {};
    if (Object.keys(vars).length) entry.vars = vars;
    if (!Object.keys(entry).length) delete results[name];
  };
  format(ALL);
  return results;
};

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

// python's repr() inside double quotes, as toml's _dump_str turns it
const tomlString = (s: string): string => {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += `\\u00${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `"${out}"`;
};

const tomlKey = (k: string): string => (BARE_KEY.test(k) ? k : tomlString(k));

// python's str(float) with toml's exponent trimming (1.0, 1e+16, 1.5e-07 → 1.5e-7)
const tomlFloat = (n: number): string => floatRepr(n).replace('e+0', 'e+').replace('e-0', 'e-');

const isTable = (v: unknown): v is Table => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof PyFloat);

const tomlValue = (v: unknown, at: string): string => {
  if (typeof v === 'string') {
    if (vaultTextOf(v) !== undefined)
      throw new InventoryError(`The source inventory contains a value that cannot be represented in TOML: ${at} is vault-encrypted`);
    return tomlString(v);
  }
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return String(v);
  if (v instanceof PyFloat) return tomlFloat(v.value);
  if (typeof v === 'number') return Number.isInteger(v) && !Object.is(v, -0) && !String(v).includes('e') ? String(v) : tomlFloat(v);
  if (Array.isArray(v)) return `[${v.map((item) => ` ${tomlValue(item, at)},`).join('')}]`;
  throw new InventoryError(`The source inventory contains a value that cannot be represented in TOML: ${at}`);
};

/** One table's `key = value` lines and the tables under it (toml's dump_sections); a None value is left out. */
const dumpSection = (table: Table, path: string): { text: string; tables: [string, Table][] } => {
  let text = '';
  const tables: [string, Table][] = [];
  for (const [key, value] of Object.entries(table)) {
    const qkey = tomlKey(key);
    if (isTable(value)) tables.push([qkey, value]);
    else if (Array.isArray(value) && value.some(isTable)) {
      throw new InventoryError(`The source inventory contains a value that cannot be represented in TOML: a list of tables at ${path}${qkey}`);
    } else if (value !== null && value !== undefined) text += `${qkey} = ${tomlValue(value, `${path}${qkey}`)}\n`;
  }
  return { text, tables };
};

/** TOML as python's toml.dumps writes it: values first, then each level of tables breadth first, `[a.b]` headers. */
export const renderInventoryToml = (value: Table): string => {
  // `!unsafe` text is a plain string to toml's encoder
  const top = dumpSection(withoutUnsafe(value) as Table, '');
  let out = top.text;
  let sections = top.tables;
  while (sections.length) {
    const next: [string, Table][] = [];
    for (const [name, table] of sections) {
      const { text, tables } = dumpSection(table, `${name}.`);
      if (text || !tables.length) {
        if (out && !out.endsWith('\n\n')) out += '\n';
        out += `[${name}]\n${text}`;
      }
      for (const [sub, t] of tables) next.push([`${name}.${sub}`, t]);
    }
    sections = next;
  }
  return out;
};
