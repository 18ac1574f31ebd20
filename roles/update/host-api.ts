import type { ModuleContext } from '../../lib/modules/module.js';

export interface HostResponse {
  /** HTTP status; -1 when nothing answered */
  status: number;
  json?: unknown;
  msg?: string;
}

// every status is an answer the caller interprets; only "nothing answered" is -1
const ANY_STATUS = Array.from({ length: 500 }, (_, i) => i + 100);

/**
 * An HTTP request made from the host itself (curl through the transport, the uri module), so the admin API,
 * the chain RPC and the ML node API stay bound to loopback or a private address.
 */
export const hostRequest = async (ctx: ModuleContext, url: string, method: 'GET' | 'POST' = 'GET', body?: unknown): Promise<HostResponse> => {
  const res = await ctx.module('uri', { url, method, status_code: ANY_STATUS, timeout: 10, ...(body === undefined ? {} : { body, body_format: 'json' }) });
  return { status: Number(res.status ?? -1), json: res.json, msg: res.msg };
};

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
