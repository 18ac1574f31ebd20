import { z } from 'zod';
import { ExpressionError, evaluate } from '../../template/expression.js';
import { defineModule } from '../module.js';

const debugArgs = z
  .strictObject({
    msg: z.unknown().optional(),
    /** a variable name or expression whose value is shown */
    var: z.string().min(1).optional(),
  })
  .refine((a) => a.msg === undefined || a.var === undefined, 'msg and var are mutually exclusive');

const NOT_DEFINED = 'VARIABLE IS NOT DEFINED!';

const expressionValue = (expr: string, vars: Record<string, unknown>): unknown => {
  try {
    return evaluate(expr, vars);
  } catch (e) {
    // as in Ansible, an undefined variable is shown, not an error
    if (e instanceof ExpressionError) return NOT_DEFINED;
    throw e;
  }
};

export const debugModule = defineModule({
  name: 'debug',
  args: debugArgs,
  plan: async (args, ctx) => {
    if (args.var !== undefined) return { changes: [], result: { [args.var]: expressionValue(args.var, ctx.vars) } };
    const msg = args.msg ?? 'Hello world!';
    return { changes: [], result: { msg: typeof msg === 'string' ? msg : JSON.stringify(msg, null, 2) } };
  },
});
