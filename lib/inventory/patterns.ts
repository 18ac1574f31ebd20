import { readFileSync } from 'node:fs';
import { parseAddress } from './address.js';
import { InventoryError } from './errors.js';
import { globToRegExp } from './fnmatch.js';
import { groupHosts } from './group-tree.js';
import { findHost } from './host-vars.js';
import { isLocalhostName } from './localhost.js';
import type { Inventory } from './model.js';

// Ansible's host patterns (lib/ansible/inventory/manager.py): `a:b` or `a,b` union, `a:&b`
// intersection, `a:!b` exclusion, globs, `~regex`, `group[0]` / `group[1:3]` subscripts.

const SUBSCRIPT = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)[:-]([0-9]*))\]$/;
const BARE_PATTERN = /(?:[^\s:[\]]|\[[^\]]*\])+/g;

/** Ansible's split_host_pattern: commas always separate; colons only when the whole is not a host[:port]. */
export const splitHostPattern = (pattern: string): string[] => {
  const parts = pattern.includes(',') ? pattern.split(',') : parseAddress(pattern, true) ? [pattern] : (pattern.match(BARE_PATTERN) ?? []);
  return parts.map((p) => p.trim()).filter(Boolean);
};

/** Plain patterns first, then `&` intersections, then `!` exclusions; only modifiers means `all` first. */
const orderPatterns = (patterns: readonly string[]): string[] => {
  const regular = patterns.filter((p) => p[0] !== '&' && p[0] !== '!');
  const intersect = patterns.filter((p) => p[0] === '&');
  const exclude = patterns.filter((p) => p[0] === '!');
  return [...(regular.length ? regular : ['all']), ...intersect, ...exclude];
};

const matcher = (pattern: string): RegExp => {
  if (pattern[0] !== '~') return globToRegExp(pattern);
  try {
    // Python's re.match: anchored at the start only
    return new RegExp(`^(?:${pattern.slice(1)})`);
  } catch {
    throw new InventoryError(`Invalid host list pattern: ${pattern}`);
  }
};

const enumerateMatches = (inv: Inventory, pattern: string): string[] => {
  const re = matcher(pattern);
  const groups = [...inv.groups.keys()].filter((g) => re.test(g));
  const found = new Set(groups.flatMap((g) => groupHosts(inv, g)));
  if (groups.length === 0 || pattern[0] === '~' || /[.?*[]/.test(pattern)) {
    for (const host of inv.hosts.keys()) if (re.test(host)) found.add(host);
  }
  if (found.size === 0 && isLocalhostName(pattern)) {
    const local = findHost(inv, pattern);
    if (local) found.add(local.name);
  }
  return [...found];
};

const applySubscript = (hosts: string[], pattern: string, idx?: string, start?: string, end?: string): string[] => {
  if (hosts.length === 0) return hosts;
  if (idx !== undefined) {
    const i = Number(idx);
    const host = hosts[i < 0 ? hosts.length + i : i];
    if (host === undefined) throw new InventoryError(`No hosts matched the subscripted pattern '${pattern}'`);
    return [host];
  }
  const last = end ? Number(end) : hosts.length - 1;
  return hosts.slice(Number(start), last + 1);
};

const matchOne = (inv: Inventory, raw: string): string[] => {
  const pattern = raw[0] === '&' || raw[0] === '!' ? raw.slice(1) : raw;
  const m = pattern[0] === '~' ? null : SUBSCRIPT.exec(pattern);
  if (!m) return enumerateMatches(inv, pattern);
  return applySubscript(enumerateMatches(inv, m[1]), pattern, m[2], m[3], m[4]);
};

const readLimitFile = (file: string): string[] => {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.trim());
  } catch {
    throw new InventoryError(`Unable to find limit file ${file}`);
  }
};

/** Split a pattern and replace each `@file` (a retry file: host names one per line) by its lines. */
const patternList = (pattern: string): string[] =>
  splitHostPattern(pattern)
    .flatMap((p) => (p[0] === '@' ? readLimitFile(p.slice(1)) : [p]))
    .filter(Boolean);

const evaluate = (inv: Inventory, patterns: readonly string[]): string[] => {
  let hosts: string[] = [];
  for (const p of orderPatterns(patterns)) {
    if (inv.hosts.has(p)) {
      hosts.push(p);
      continue;
    }
    const matched = matchOne(inv, p);
    if (p[0] === '!' || p[0] === '&') {
      const set = new Set(matched);
      hosts = hosts.filter((h) => set.has(h) === (p[0] === '&'));
    } else hosts.push(...matched);
  }
  return [...new Set(hosts)];
};

/**
 * Hosts matching an Ansible host pattern, in inventory order. Names that match nothing add
 * nothing (the caller warns); `localhost` not in the inventory is Ansible's implicit localhost.
 */
export const selectHosts = (inv: Inventory, pattern: string): string[] => evaluate(inv, patternList(pattern));

/** `--limit`: keep the hosts that also match `limit` (a pattern, possibly `@retry-file`). */
export const limitHosts = (inv: Inventory, hosts: readonly string[], limit: string | undefined): string[] => {
  if (limit === undefined || limit.trim() === '') return [...hosts];
  const allowed = new Set(selectHosts(inv, limit));
  return hosts.filter((h) => allowed.has(h));
};
