import type { ModuleContext } from '../modules/module.js';

export const sleep = (seconds: number): Promise<void> => new Promise((r) => setTimeout(r, seconds * 1000));

/** Poll `probe` until it says done (a value) or the deadline passes (undefined), reporting progress lines. */
export const pollUntil = async <T>(
  ctx: ModuleContext,
  opts: { timeout: number; interval: number },
  probe: () => Promise<{ done: T } | { waiting: string }>,
): Promise<T | undefined> => {
  const deadline = Date.now() + opts.timeout * 1000;
  for (;;) {
    const r = await probe();
    if ('done' in r) return r.done;
    if (Date.now() >= deadline) return undefined;
    ctx.progress(r.waiting);
    await sleep(opts.interval);
  }
};
