import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { UnreachableError } from '../../transport/transport.js';
import { intArg } from '../arg-types.js';
import { defineModule, type ModuleContext } from '../module.js';

const waitForConnectionArgs = z.strictObject({
  /** seconds one attempt may take */
  connect_timeout: intArg.default(5),
  /** seconds before the first attempt */
  delay: intArg.default(0),
  /** seconds between attempts */
  sleep: intArg.default(1),
  /** seconds before giving up */
  timeout: intArg.default(600),
});

type Args = z.output<typeof waitForConnectionArgs>;

/** One attempt: a command answered on the current connection, or on a new one when it is gone. */
const attempt = async (ctx: ModuleContext, a: Args, fresh: boolean): Promise<ModuleContext | undefined> => {
  try {
    const on = fresh ? await ctx.reconnect() : ctx;
    const res = await on.exec('true', { timeoutMs: a.connect_timeout * 1000 });
    return res.code === 0 ? on : undefined;
  } catch (e) {
    if (e instanceof UnreachableError) return undefined;
    throw e;
  }
};

/**
 * Ansible's wait_for_connection: until the host answers a command (a new connection once the old one is gone),
 * or the timeout. Never a change; it waits in check mode too.
 */
export const waitForConnectionModule = defineModule({
  name: 'wait_for_connection',
  args: waitForConnectionArgs,
  plan: async (a, ctx) => {
    const start = Date.now();
    await sleep(a.delay * 1000);
    let fresh = false;
    for (;;) {
      if (await attempt(ctx, a, fresh)) return { changes: [], result: { elapsed: Math.round((Date.now() - start) / 1000) } };
      fresh = true;
      if (Date.now() - start + a.sleep * 1000 > a.timeout * 1000) break;
      ctx.progress(`waiting for the connection (${Math.round((Date.now() - start) / 1000)} s of ${a.timeout} s)`);
      await sleep(a.sleep * 1000);
    }
    const elapsed = Math.round((Date.now() - start) / 1000);
    return { changes: [], result: { elapsed }, failed: `timed out waiting for connection port up after ${elapsed} seconds` };
  },
});
