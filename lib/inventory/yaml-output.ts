import { Document, Scalar, type ScalarTag, type Tags, visit } from 'yaml';
import { floatRepr, PyFloat, pyFloat } from '../template/py-float.js';
import { withoutUnsafe } from '../template/unsafe.js';
import { vaultTextOf } from '../vault/vault-passwords.js';
import { ALL, type Inventory, type Vars } from './model.js';
import { type InventoryOutputOptions, shownGroupVars, shownHostVars } from './output.js';

// What `ansible-inventory --list --yaml` prints (lib/ansible/cli/inventory.py yaml_inventory): the group tree
// nested under `all`, each host's variables under the first group that lists it, `{}` for the others.

interface YamlGroup {
  children?: Record<string, YamlGroup>;
  hosts?: Record<string, Vars>;
  vars?: Vars;
}

export const inventoryYaml = (inv: Inventory, opts: InventoryOutputOptions = {}): Record<string, YamlGroup> => {
  const seen = new Set<string>();
  const format = (name: string): Record<string, YamlGroup> => {
    const group = inv.groups.get(name);
    if (!group) return {};
    const entry: YamlGroup = {};
    const children = Object.assign({}, ...group.children.filter((c) => c !== ALL).map(format));
    if (Object.keys(children).length) entry.children = children;
    if (name !== ALL && group.hosts.length) {
      entry.hosts = {};
      for (const h of group.hosts) {
        entry.hosts[h] = seen.has(h) ? {} : shownHostVars(inv, h, opts);
        seen.add(h);
      }
    }
    const vars = opts.export ? shownGroupVars(inv, name) : {};
    if (Object.keys(vars).length) entry.vars = vars;
    return { [name]: entry };
  };
  return format(ALL);
};

// PyYAML's implicit resolvers (yaml/resolver.py), narrower than YAML 1.1's: `y`, `n`, `1e3`, `2024-1-2` stay plain
const PYYAML_RESOLVERS: Record<string, RegExp> = {
  'bool:true': /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/,
  'bool:false': /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/,
  float:
    /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  timestamp:
    /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/,
};
const NEVER = /(?!)/;

// PyYAML's represent_float: Python's repr, `.0` before an exponent that has no point (1e+16 → 1.0e+16)
const pyyamlFloat = (n: number): string => {
  if (Number.isNaN(n)) return '.nan';
  if (!Number.isFinite(n)) return n > 0 ? '.inf' : '-.inf';
  const repr = floatRepr(n);
  return repr.includes('.') || !repr.includes('e') ? repr : repr.replace('e', '.0e');
};

// every float (a PyFloat for a whole value, 1.0; a number that is not an integer) as PyYAML writes it; its test
// (matching nothing: it only writes) makes the yaml package prefer it to its own float tags
const floatTag: ScalarTag = {
  tag: 'tag:yaml.org,2002:float',
  default: true,
  test: /(?!)/,
  identify: (v) => v instanceof PyFloat || (typeof v === 'number' && !Number.isInteger(v)),
  resolve: (text) => pyFloat(Number(text)),
  stringify: (item) => pyyamlFloat(Number(item.value)),
};

// YAML 1.1's tags with PyYAML's tests: a string is quoted exactly when PyYAML would read it back as another type
const pyyamlTags = (tags: Tags): Tags =>
  [floatTag, ...tags].map((tag) => {
    if (typeof tag !== 'object' || !('test' in tag) || !tag.test) return tag;
    const kind = tag.tag.replace('tag:yaml.org,2002:', '');
    if (kind === 'bool') return { ...tag, test: PYYAML_RESOLVERS[tag.test.source.includes('rue') ? 'bool:true' : 'bool:false'] };
    if (kind === 'float') return { ...tag, test: tag.format === undefined && tag.test.source.includes('\\.[0-9_]') ? PYYAML_RESOLVERS.float : NEVER };
    if (kind === 'timestamp') return { ...tag, test: PYYAML_RESOLVERS.timestamp };
    return tag;
  });

const YAML_OPTIONS = { sortMapEntries: true, aliasDuplicateObjects: false, version: '1.1', customTags: pyyamlTags } as const;
const STRINGIFY_OPTIONS = {
  indentSeq: false,
  singleQuote: true,
  lineWidth: 80,
  minContentWidth: 0,
  nullStr: 'null',
  trueStr: 'true',
  falseStr: 'false',
} as const;

// PyYAML quotes a one-line string that cannot be plain with single quotes, doubling any inside; the yaml package
// picks double quotes for a string that holds a single quote
const isControl = (ch: string): boolean => {
  const code = ch.codePointAt(0) ?? 0;
  return code < 0x20 || (code >= 0x7f && code < 0xa0);
};

const needsSingleQuotes = (text: string): boolean =>
  text.includes("'") && ![...text].some(isControl) && new Document(text, YAML_OPTIONS).toString(STRINGIFY_OPTIONS).startsWith('"');

/**
 * YAML as PyYAML's dump prints it for ansible-inventory (default_flow_style=False, allow_unicode): YAML 1.1 quoting,
 * keys sorted, sequences not indented under their key, single quotes, `!vault |` for encrypted values.
 */
export const renderInventoryYaml = (value: unknown): string => {
  // `!unsafe` text is a plain string to PyYAML's AnsibleDumper
  const doc = new Document(withoutUnsafe(value), YAML_OPTIONS);
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string') return;
      const vault = vaultTextOf(node.value);
      if (vault === undefined) {
        if (needsSingleQuotes(node.value)) node.type = Scalar.QUOTE_SINGLE;
        return;
      }
      const tagged = new Scalar(vault.endsWith('\n') ? vault : `${vault}\n`);
      tagged.tag = '!vault';
      tagged.type = Scalar.BLOCK_LITERAL;
      return tagged;
    },
  });
  return doc.toString(STRINGIFY_OPTIONS);
};
