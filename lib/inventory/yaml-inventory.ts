import type { z } from 'zod';
import { isConstructed, parseConstructed } from './constructed.js';
import { InventoryError } from './errors.js';
import { expandHostPattern } from './host-range.js';
import { addChild, addGroup, addHost, setGroupVar, setHostVar, type Inventory } from './model.js';
import type { YamlSource } from './yaml-source.js';
import { yamlInventorySchema, type InventoryGroupDoc } from './yaml-schema.js';

type Path = (string | number)[];

const issueError = (src: YamlSource, issue: z.core.$ZodIssue): InventoryError => {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    return new InventoryError(`unknown key '${key}': a group takes only hosts, vars and children`, src.locate([...path, key], { key: true }));
  }
  return new InventoryError(issue.message, src.locate(path));
};

const validate = (src: YamlSource): Record<string, InventoryGroupDoc | null> => {
  const data = src.data;
  if (data === null || data === undefined) throw new InventoryError('Parsed empty YAML file', { file: src.file });
  if (typeof data === 'object' && !Array.isArray(data) && 'plugin' in data) {
    throw new InventoryError(
      `Plugin configuration YAML file, not YAML inventory (inventory plugin '${String(data.plugin)}' is not supported; constructed is)`,
      src.locate(['plugin'], { key: true }),
    );
  }
  const parsed = yamlInventorySchema.safeParse(data);
  if (!parsed.success) throw issueError(src, parsed.error.issues[0]);
  return parsed.data;
};

const addHosts = (inv: Inventory, src: YamlSource, group: string, hosts: NonNullable<InventoryGroupDoc['hosts']>, path: Path): void => {
  for (const [entry, vars] of Object.entries(hosts)) {
    const { hostnames, port } = expandHostPattern(entry, src.locate([...path, entry], { key: true }));
    for (const name of hostnames) {
      const host = addHost(inv, name, group, src.file);
      if (port !== undefined) setHostVar(host, 'ansible_port', port);
      for (const [k, v] of Object.entries(vars ?? {})) setHostVar(host, k, v);
    }
  }
};

const addGroupDoc = (inv: Inventory, src: YamlSource, name: string, doc: InventoryGroupDoc | null, path: Path): void => {
  addGroup(inv, name);
  if (!doc) return;
  // vars, children, then hosts: the order only decides which host or group is created first, never membership or precedence
  for (const [k, v] of Object.entries(doc.vars ?? {})) setGroupVar(inv, name, k, v, src.locate([...path, 'vars', k]));
  for (const [child, childDoc] of Object.entries(doc.children ?? {})) {
    const childPath = [...path, 'children', child];
    addGroupDoc(inv, src, child, childDoc, childPath);
    addChild(inv, name, child, src.locate(childPath, { key: true }));
  }
  if (doc.hosts) addHosts(inv, src, name, doc.hosts, [...path, 'hosts']);
};

/** Parse a YAML inventory (Ansible's format: groups with hosts, vars and children, or a `constructed` plugin file) into `inv`. */
export const parseYamlInventory = (inv: Inventory, src: YamlSource): void => {
  if (isConstructed(src.data)) {
    parseConstructed(inv, src);
    return;
  }
  for (const [name, doc] of Object.entries(validate(src))) addGroupDoc(inv, src, name, doc, [name]);
};
