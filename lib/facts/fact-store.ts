import type { Become, ExecOptions, Transport } from '../transport/transport.js';
import { frameBatch } from './batch-script.js';
import { factKey, FactError, readerOf, type FactDefinition, type FactOutput, type FactRef, type FactRequest, type Joint, type KnownFact } from './fact.js';

/** A request together with the become it is read with (a play's tasks may differ). */
export interface ReaderRequest extends FactRequest {
  become?: Become;
}

/** Facts as one task sees them: read with its become, through the host's one cache. */
export interface FactReader {
  /** the fact's value; a miss reads it together with every fact the coming tasks declared (one round trip) */
  read<A, T>(fact: FactDefinition<A, T>, arg: A): Promise<T>;
  /** read all of these that are not cached, in one round trip */
  readAll(requests: readonly FactRequest[]): Promise<void>;
  /** forget facts a change made stale; no refs: every fact of the host */
  invalidate(refs?: readonly FactRef[]): void;
  /** what a change made true, as this reader sees it (after invalidating what it made stale) */
  learn(known: readonly KnownFact[]): void;
}

/** Every fact read from one host during one run. */
export interface FactStore {
  /** `via`: the transport the reads go through (a delegated task's, which must not wait on this host's own steps) */
  reader(become: Become | undefined, via?: Transport): FactReader;
  invalidate(refs?: readonly FactRef[]): void;
  /** the requests of the tasks still to come: read along with the next miss, so a play costs one round trip */
  lookahead(upcoming: () => readonly ReaderRequest[]): void;
}

interface Entry {
  fact: FactDefinition;
  arg: unknown;
  value: Promise<unknown>;
}

/** A known value for every argument a predicate covers, except those changed since. */
interface Rule {
  user: string;
  fact: FactDefinition;
  covers(arg: unknown): boolean;
  value(arg: unknown): unknown;
  changed: unknown[];
}

interface Pending {
  fact: FactDefinition;
  args: unknown[];
  settle: { resolve(v: unknown): void; reject(e: unknown): void }[];
}

const deferred = () => {
  let resolve!: (v: unknown) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<unknown>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
};

/** One section of a batch: one fact's arguments, or every fact of a joint. */
interface Section {
  command: string;
  groups: Pending[];
  /** per group, its values */
  parse(output: FactOutput): unknown[][];
}

const sectionsOf = (groups: readonly Pending[]): Section[] => {
  const sections: Section[] = [];
  const joints = new Map<Joint, Pending[]>();
  for (const g of groups) {
    if (!g.fact.joint) {
      sections.push({ command: g.fact.command(g.args), groups: [g], parse: (output) => [g.fact.parse(output, g.args)] });
      continue;
    }
    const members = joints.get(g.fact.joint) ?? [];
    if (members.length === 0) joints.set(g.fact.joint, members);
    members.push(g);
  }
  // a joint's output may carry a file's raw bytes: its section must be the batch's last (batch-script.ts)
  if (joints.size > 1) throw new Error(`one joint per batch: ${[...joints.keys()].map((j) => j.name).join(', ')}`);
  for (const [joint, members] of joints) {
    const parts = members.map((g) => ({ fact: g.fact, args: g.args }));
    sections.push({ command: joint.command(parts), groups: members, parse: (output) => joint.parse(output, parts) });
  }
  return sections;
};

const settleGroup = (g: Pending, values: unknown[]) => {
  if (values.length !== g.args.length) {
    const e = new FactError(g.fact.name, `parsed ${values.length} values for ${g.args.length} arguments`);
    g.settle.forEach((s) => s.reject(e));
    return;
  }
  g.settle.forEach((s, j) => (values[j] instanceof Error ? s.reject(values[j]) : s.resolve(values[j])));
};

/**
 * The fact cache of one host. Keys are reader (login or become user), fact name and argument; a failed read is
 * forgotten so a later task tries again. `execOptions` gives the host's environment for the batch commands.
 */
export const createFactStore = (transport: Transport, execOptions: () => ExecOptions = () => ({})): FactStore => {
  const entries = new Map<string, Entry>();
  let rules: Rule[] = [];
  let upcoming: () => readonly ReaderRequest[] = () => [];

  const keyOf = (user: string, fact: FactDefinition, arg: unknown) => `${user}\u0000${fact.name}\u0000${factKey(fact, arg)}`;

  const safeUpcoming = (): readonly ReaderRequest[] => {
    try {
      return upcoming();
    } catch {
      return [];
    }
  };

  const reaches = (fact: FactDefinition, changed: unknown, arg: unknown) =>
    fact.affects ? fact.affects(changed, arg) : factKey(fact, changed) === factKey(fact, arg);

  // a value a rule knows, set as if it had been read
  const known = (user: string, fact: FactDefinition, arg: unknown, key: string): boolean => {
    const rule = rules.find((r) => r.user === user && r.fact.name === fact.name && r.covers(arg) && !r.changed.some((c) => reaches(fact, c, arg)));
    if (!rule) return false;
    const value = Promise.resolve(rule.value(arg));
    entries.set(key, { fact, arg, value });
    return true;
  };

  const runBatch = async (via: Transport, become: Become | undefined, groups: Pending[]) => {
    const sections = sectionsOf(groups);
    const batch = frameBatch(sections.map((s) => s.command));
    const base = execOptions();
    const env = Object.assign({}, base.env, ...groups.map((g) => g.fact.env?.(g.args) ?? {}));
    const res = await via.exec(batch.script, { ...base, env, become, binary: true });
    const outputs = batch.parse(res.stdoutBytes ?? res.stdout);
    sections.forEach((section, i) => {
      let values: unknown[][];
      try {
        values = section.parse(outputs[i]);
      } catch (e) {
        section.groups.forEach((g) => g.settle.forEach((s) => s.reject(e)));
        return;
      }
      section.groups.forEach((g, k) => settleGroup(g, values[k]));
    });
  };

  /** Read the wanted requests plus the upcoming ones of the same reader that are not cached, in one exec. */
  const fetch = (via: Transport, become: Become | undefined, wanted: readonly FactRequest[]): void => {
    const user = readerOf(become);
    // only a miss reads ahead: a task needing nothing uncached (a computation) must not read the upcoming facts
    // before it ran, when what it publishes (their arguments) is not known yet. What an earlier change made known
    // (a rule) is no miss: on a first run every task's facts are, and the coming tasks' requests, computed anew
    // each time, cost the controller most of what a first run took beyond a no-change one
    const missing = wanted.filter(({ fact, arg }) => {
      const key = keyOf(user, fact, arg);
      return !entries.has(key) && !known(user, fact, arg, key);
    });
    if (missing.length === 0) return;
    const extra = safeUpcoming().filter((r) => readerOf(r.become) === user);
    const groups = new Map<string, Pending>();
    for (const { fact, arg } of [...missing, ...extra]) {
      const key = keyOf(user, fact, arg);
      if (entries.has(key) || known(user, fact, arg, key)) continue;
      const d = deferred();
      entries.set(key, { fact, arg, value: d.promise });
      d.promise.catch(() => entries.get(key)?.value === d.promise && entries.delete(key));
      const group = groups.get(fact.name) ?? { fact, args: [], settle: [] };
      group.args.push(arg);
      group.settle.push(d);
      groups.set(fact.name, group);
    }
    if (groups.size === 0) return;
    const all = [...groups.values()];
    runBatch(via, become, all).catch((e) => all.forEach((g) => g.settle.forEach((s) => s.reject(e))));
  };

  // a fact computed from what a changed fact describes is stale whatever argument changed
  const derivedFrom = (fact: FactDefinition, refs: readonly FactRef[]): boolean =>
    (fact.dependsOn?.() ?? []).some((d) => refs.some((r) => r.fact.name === d.name) || derivedFrom(d as FactDefinition, refs));

  const invalidate = (refs?: readonly FactRef[]) => {
    if (!refs) {
      entries.clear();
      rules = [];
      return;
    }
    // a rule stops knowing what changed after it; a change to every argument of its fact ends it
    rules = rules.filter((rule) => !refs.some((r) => r.fact.name === rule.fact.name && r.arg === undefined));
    for (const rule of rules) for (const r of refs) if (r.fact.name === rule.fact.name) rule.changed.push(r.arg);
    // per fact, not per cached value: a host's cache holds a few facts of many arguments, and a first run invalidates
    // after every change
    const changedNames = new Set(refs.map((r) => r.fact.name));
    const derived = new Map<FactDefinition, boolean>();
    const isDerived = (fact: FactDefinition): boolean => {
      const hit = derived.get(fact);
      if (hit !== undefined) return hit;
      const is = derivedFrom(fact, refs);
      derived.set(fact, is);
      return is;
    };
    for (const [key, entry] of entries) {
      const stale =
        isDerived(entry.fact) ||
        (changedNames.has(entry.fact.name) &&
          refs.some(
            (r) =>
              r.fact.name === entry.fact.name &&
              (r.arg === undefined ||
                (entry.fact.affects ? entry.fact.affects(r.arg, entry.arg) : factKey(entry.fact, r.arg) === factKey(entry.fact, entry.arg))),
          ));
      if (stale) entries.delete(key);
    }
  };

  const learn = (user: string, facts: readonly KnownFact[]) => {
    for (const k of facts) {
      const fact = k.fact as FactDefinition;
      if ('covers' in k) rules.push({ user, fact, covers: k.covers as Rule['covers'], value: k.value as Rule['value'], changed: [] });
      else entries.set(keyOf(user, fact, k.arg), { fact, arg: k.arg, value: Promise.resolve(k.value) });
    }
  };

  const reader = (become: Become | undefined, via: Transport = transport): FactReader => {
    const user = readerOf(become);
    const readAll = async (requests: readonly FactRequest[]) => {
      fetch(via, become, requests);
      await Promise.all(requests.map((r) => entries.get(keyOf(user, r.fact, r.arg))?.value));
    };
    return {
      read: async <A, T>(fact: FactDefinition<A, T>, arg: A): Promise<T> => {
        const key = keyOf(user, fact as FactDefinition, arg);
        if (!entries.has(key)) fetch(via, become, [{ fact: fact as FactDefinition, arg }]);
        return (await entries.get(key)!.value) as T;
      },
      readAll,
      invalidate,
      learn: (facts) => learn(user, facts),
    };
  };

  return {
    reader,
    invalidate,
    lookahead: (fn) => {
      upcoming = fn;
    },
  };
};
