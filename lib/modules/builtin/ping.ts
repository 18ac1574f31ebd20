import { z } from 'zod';
import { defineModule } from '../module.js';

/** Ansible's ping: the host runs something and answers `pong` (or `data`); `data: crash` fails, as Ansible's does. */
export const pingModule = defineModule({
  name: 'ping',
  args: z.strictObject({ data: z.string().default('pong') }),
  plan: async (args, ctx) => {
    if (args.data === 'crash') return { changes: [], failed: 'MODULE FAILURE\nSee stdout/stderr for the exact error' };
    const res = await ctx.exec('true');
    if (res.code !== 0) return { changes: [], failed: `the host did not run a command (rc=${res.code}): ${res.stderr.trim()}` };
    return { changes: [], result: { ping: args.data } };
  },
});
