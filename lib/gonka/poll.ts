import type { FactDefinition, FactRef } from '../facts/fact.js';
import type { ModuleContext } from '../modules/module.js';

export const sleep = (seconds: number): Promise<void> => new Promise((r) => setTimeout(r, seconds * 1000));

export interface PollOptions {
  /** seconds until the wait gives up */
  timeout: number;
  /** seconds between polls */
  interval: number;
  /**
   * The facts the probe reads, forgotten before every poll but the first: the first poll takes what the play's batch
   * already read (on a run that changes nothing it says "done" at once), each later one reads them again.
   */
  refresh?: readonly FactRef[];
}

/** Poll `probe` until it says done (a value) or the deadline passes (undefined), reporting progress lines. */
export const pollUntil = async <T>(ctx: ModuleContext, opts: PollOptions, probe: () => Promise<{ done: T } | { waiting: string }>): Promise<T | undefined> => {
  const deadline = Date.now() + opts.timeout * 1000;
  for (let first = true; ; first = false) {
    if (!first && opts.refresh) ctx.facts.invalidate(opts.refresh);
    const r = await probe();
    if ('done' in r) return r.done;
    if (Date.now() >= deadline) return undefined;
    ctx.progress(r.waiting);
    await sleep(opts.interval);
  }
};

/** A fact as the host has it now, whatever the run read before: one round trip, for a poll that waits on it. */
export const readFresh = <A, T>(ctx: ModuleContext, fact: FactDefinition<A, T>, arg: A): Promise<T> => {
  ctx.facts.invalidate([{ fact, arg }]);
  return ctx.facts.read(fact, arg);
};
