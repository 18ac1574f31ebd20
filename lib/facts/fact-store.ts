import type { Become, ExecOptions, Transport } from '../transport/transport.js';
import { frameBatch } from './batch-script.js';
import { factKey, FactError, readerOf, type FactDefinition, type FactRef, type FactRequest } from './fact.js';

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
}

/** Every fact read from one host during one run. */
export interface FactStore {
  reader(become: Become | undefined): FactReader;
  invalidate(refs?: readonly FactRef[]): void;
  /** the requests of the tasks still to come: read along with the next miss, so a play costs one round trip */
  lookahead(upcoming: () => readonly ReaderRequest[]): void;
}

interface Entry {
  fact: FactDefinition;
  arg: unknown;
  value: Promise<unknown>;
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

/**
 * The fact cache of one host. Keys are reader (login or become user), fact name and argument; a failed read is
 * forgotten so a later task tries again. `execOptions` gives the host's environment for the batch commands.
 */
export const createFactStore = (transport: Transport, execOptions: () => ExecOptions = () => ({})): FactStore => {
  const entries = new Map<string, Entry>();
  let upcoming: () => readonly ReaderRequest[] = () => [];

  const keyOf = (user: string, fact: FactDefinition, arg: unknown) => `${user}\u0000${fact.name}\u0000${factKey(fact, arg)}`;

  const safeUpcoming = (): readonly ReaderRequest[] => {
    try {
      return upcoming();
    } catch {
      return [];
    }
  };

  const runBatch = async (become: Become | undefined, groups: Pending[]) => {
    const batch = frameBatch(groups.map((g) => g.fact.command(g.args)));
    const base = execOptions();
    const env = Object.assign({}, base.env, ...groups.map((g) => g.fact.env?.(g.args) ?? {}));
    const res = await transport.exec(batch.script, { ...base, env, become });
    const sections = batch.parse(res.stdout);
    groups.forEach((g, i) => {
      try {
        const values = g.fact.parse(sections[i], g.args);
        if (values.length !== g.args.length) throw new FactError(g.fact.name, `parsed ${values.length} values for ${g.args.length} arguments`);
        g.settle.forEach((s, j) => (values[j] instanceof Error ? s.reject(values[j]) : s.resolve(values[j])));
      } catch (e) {
        g.settle.forEach((s) => s.reject(e));
      }
    });
  };

  /** Read the wanted requests plus the upcoming ones of the same reader that are not cached, in one exec. */
  const fetch = (become: Become | undefined, wanted: readonly FactRequest[]): void => {
    const user = readerOf(become);
    // only a miss reads ahead: a task needing nothing uncached (a computation) must not read the upcoming facts
    // before it ran, when what it publishes (their arguments) is not known yet
    if (wanted.every((r) => entries.has(keyOf(user, r.fact, r.arg)))) return;
    const extra = safeUpcoming().filter((r) => readerOf(r.become) === user);
    const groups = new Map<string, Pending>();
    for (const { fact, arg } of [...wanted, ...extra]) {
      const key = keyOf(user, fact, arg);
      if (entries.has(key)) continue;
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
    runBatch(become, all).catch((e) => all.forEach((g) => g.settle.forEach((s) => s.reject(e))));
  };

  // a fact computed from what a changed fact describes is stale whatever argument changed
  const derivedFrom = (fact: FactDefinition, refs: readonly FactRef[]): boolean =>
    (fact.dependsOn?.() ?? []).some((d) => refs.some((r) => r.fact.name === d.name) || derivedFrom(d as FactDefinition, refs));

  const invalidate = (refs?: readonly FactRef[]) => {
    if (!refs) {
      entries.clear();
      return;
    }
    for (const [key, entry] of entries) {
      const stale =
        derivedFrom(entry.fact, refs) ||
        refs.some(
          (r) =>
            r.fact.name === entry.fact.name &&
            (r.arg === undefined ||
              (entry.fact.affects ? entry.fact.affects(r.arg, entry.arg) : factKey(entry.fact, r.arg) === factKey(entry.fact, entry.arg))),
        );
      if (stale) entries.delete(key);
    }
  };

  const reader = (become: Become | undefined): FactReader => {
    const user = readerOf(become);
    const readAll = async (requests: readonly FactRequest[]) => {
      fetch(become, requests);
      await Promise.all(requests.map((r) => entries.get(keyOf(user, r.fact, r.arg))?.value));
    };
    return {
      read: async <A, T>(fact: FactDefinition<A, T>, arg: A): Promise<T> => {
        const key = keyOf(user, fact as FactDefinition, arg);
        if (!entries.has(key)) fetch(become, [{ fact: fact as FactDefinition, arg }]);
        return (await entries.get(key)!.value) as T;
      },
      readAll,
      invalidate,
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
