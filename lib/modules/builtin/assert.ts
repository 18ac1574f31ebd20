import { z } from 'zod';
import { condition } from '../../template/expression.js';
import { boolArg } from '../arg-types.js';
import { defineModule } from '../module.js';

const expression = z.union([z.string().min(1), z.boolean()]);

const assertArgs = z
  .strictObject({
    /** conditions in the `when` syntax, all of which must hold */
    that: z.union([expression.transform((e) => [e]), z.array(expression).min(1)]),
    fail_msg: z.string().optional(),
    /** Ansible's older name for fail_msg */
    msg: z.string().optional(),
    success_msg: z.string().optional(),
    quiet: boolArg.default(false),
  })
  .refine((a) => a.fail_msg === undefined || a.msg === undefined, 'fail_msg and msg are the same option: give one');

export const assertModule = defineModule({
  name: 'assert',
  args: assertArgs,
  plan: async (args, ctx) => {
    const failing = args.that.find((expr) => !condition(expr, ctx.vars));
    if (failing !== undefined)
      return { changes: [], result: { assertion: failing, evaluated_to: false }, failed: args.fail_msg ?? args.msg ?? 'Assertion failed' };
    return { changes: [], result: args.quiet ? {} : { msg: args.success_msg ?? 'All assertions passed' } };
  },
});
