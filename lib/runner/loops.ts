import { PyFloat } from '../template/py-float.js';
import { loopPosition } from '../template/loop-position.js';
import { renderValue } from '../template/render.js';
import type { TaskSpec } from './types.js';

/**
 * Ansible's loops: `loop:` (a list as it is) and the `with_<lookup>:` forms, each the lookup of that name
 * over the rendered terms (lib/plugins/lookup/*.py semantics).
 */
type Vars = Record<string, unknown>;

const isObj = (v: unknown): v is Vars => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof PyFloat);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

// `start=1 end=10 stride=2 format=web%02d`, `count=3`, or the short `4-8/2:host%d`
const sequence = (spec: unknown): unknown[] => {
  const text = String(spec).trim();
  const opts: Record<string, string> = {};
  const short = /^(?:(\d+)-)?(\d+)(?:\/(\d+))?(?::(.+))?$/.exec(text);
  if (short)
    Object.assign(opts, { start: short[1] ?? '1', end: short[2], ...(short[3] ? { stride: short[3] } : {}), ...(short[4] ? { format: short[4] } : {}) });
  else for (const w of text.split(/\s+/)) opts[w.slice(0, w.indexOf('='))] = w.slice(w.indexOf('=') + 1);
  const num = (s: string | undefined, d: number) =>
    s === undefined ? d : s.startsWith('0x') ? Number.parseInt(s, 16) : s.startsWith('0o') ? Number.parseInt(s.slice(2), 8) : Number(s);
  const start = num(opts.start, 1);
  const stride = num(opts.stride, 1);
  if (opts.count !== undefined && opts.end !== undefined) throw new Error('with_sequence: count and end are mutually exclusive');
  const end = opts.count !== undefined ? start + (num(opts.count, 0) - 1) * stride : num(opts.end, Number.NaN);
  if (Number.isNaN(end)) throw new Error(`with_sequence: give end= or count= (got '${text}')`);
  const format = opts.format ?? '%d';
  const out: string[] = [];
  for (let i = start; stride > 0 ? i <= end : i >= end; i += stride)
    out.push(format.replace(/%(0?)(\d*)[dxXo]/, (_m, zero: string, w: string) => String(i).padStart(Number(w || 0), zero ? '0' : ' ')));
  return out;
};

// items may be lazy views of variables (proxies structuredClone refuses): copied key by key
const copyOf = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(copyOf) : isObj(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copyOf(x)])) : v;

// as Ansible's subelements lookup: the sub-list is taken out of (a copy of) its item, so item.0 no longer holds it;
// an item a skipped task registered (`skipped: true`) is passed over
const subelements = (terms: unknown[]): unknown[] => {
  const [list, key, flags] = terms;
  const skipMissing = isObj(flags) && flags.skip_missing === true;
  const path = String(key).split('.');
  return asList(list).flatMap((original) => {
    if (!isObj(original)) throw new Error('with_subelements: the list must hold mappings');
    if (original.skipped === true) return [];
    const item = copyOf(original) as Record<string, unknown>;
    let parent: Record<string, unknown> = item;
    for (const k of path.slice(0, -1)) {
      const next = parent[k];
      if (next === undefined && skipMissing) return [];
      if (!isObj(next)) throw new Error(`with_subelements: could not find '${String(key)}' key in an item`);
      parent = next;
    }
    const last = path.at(-1)!;
    const sub = parent[last];
    if (sub === undefined) {
      if (skipMissing) return [];
      throw new Error(`with_subelements: could not find '${String(key)}' key in an item`);
    }
    if (!Array.isArray(sub)) throw new Error(`with_subelements: the key ${String(key)} should point to a list, got '${JSON.stringify(sub)}'`);
    delete parent[last];
    return sub.map((s) => [item, s]);
  });
};

const nested = (lists: unknown[][]): unknown[][] => lists.reduce<unknown[][]>((acc, l) => acc.flatMap((prefix) => l.map((x) => [...prefix, x])), [[]]);

const WITH: Record<string, (terms: unknown, vars: Vars) => unknown[]> = {
  items: (t) => asList(t).flatMap((x) => (Array.isArray(x) ? x : [x])),
  list: (t) => asList(t),
  flattened: (t) => asList(t).flat(Number.POSITIVE_INFINITY),
  indexed_items: (t) =>
    asList(t)
      .flatMap((x) => (Array.isArray(x) ? x : [x]))
      .map((x, i) => [i, x]),
  dict: (t) => {
    if (!isObj(t)) throw new Error('with_dict expects a dict');
    return Object.keys(t).map((key) => ({ key, value: t[key] }));
  },
  sequence: (t) => asList(t).flatMap(sequence),
  together: (t) => {
    const lists = asList(t).map(asList);
    const n = Math.max(0, ...lists.map((l) => l.length));
    return Array.from({ length: n }, (_v, i) => lists.map((l) => (i < l.length ? l[i] : null)));
  },
  nested: (t) => nested(asList(t).map(asList)),
  cartesian: (t) => nested(asList(t).map(asList)),
  subelements: (t) => subelements(asList(t)),
  fileglob: (t, vars) => asList(t).flatMap((p) => asList(renderValue(`{{ query('fileglob', ${JSON.stringify(String(p))}) }}`, vars))),
};

export const WITH_KEYS = Object.keys(WITH).map((k) => `with_${k}`);

/** The `with_*` keyword a task uses, if any. */
export const withKeyOf = (task: TaskSpec): string | undefined => WITH_KEYS.find((k) => (task as unknown as Vars)[k] !== undefined);

/** A task's loop items (undefined: the task does not loop). */
export const loopItems = (task: TaskSpec, vars: Vars): unknown[] | undefined => {
  if (task.loop !== undefined) {
    const items = renderValue(task.loop, vars);
    if (!Array.isArray(items)) throw new Error(`Invalid data passed to 'loop', it requires a list, got this instead: ${JSON.stringify(items)}`);
    return items;
  }
  const key = withKeyOf(task);
  if (!key) return undefined;
  return WITH[key.slice(5)](renderValue((task as unknown as Vars)[key], vars), vars);
};

/** The variables an item adds: the loop variable, `index_var`, `ansible_loop_var` and (`extended`) `ansible_loop`. */
export const loopVarsOf = (task: TaskSpec, item: unknown, index: number, items: readonly unknown[]): Vars => {
  const lc = task.loop_control ?? {};
  const loopVar = lc.loop_var ?? 'item';
  const out: Vars = { [loopVar]: item, ansible_loop_var: loopVar };
  if (lc.index_var) out[lc.index_var] = index;
  if (lc.extended) {
    const n = items.length;
    out.ansible_loop = {
      ...loopPosition(index, n),
      ...(lc.extended_allitems === false ? {} : { allitems: items }),
      ...(index > 0 ? { previtem: items[index - 1] } : {}),
      ...(index < n - 1 ? { nextitem: items[index + 1] } : {}),
    };
  }
  return out;
};
