import { z } from 'zod';
import { ExpressionError } from '../../template/expression.js';
import { renderValue, UndefinedVariableError } from '../../template/render.js';
import { defineModule } from '../module.js';

const debugArgs = z
  .strictObject({
    msg: z.unknown().optional(),
    /** a variable name or expression whose value is shown */
    var: z.string().min(1).optional(),
  })
  .refine((a) => a.msg === undefined || a.var === undefined, 'msg and var are mutually exclusive');

const NOT_DEFINED = 'VARIABLE IS NOT DEFINED!';

// as Ansible's: the expression templated as `{{ var }}`, so it is typed as any templated value ('4' for `n + 1`)
const expressionValue = (expr: string, vars: Record<string, unknown>): unknown => {
  try {
    return renderValue(`{{ ${expr} }}`, vars);
  } catch (e) {
    // as in Ansible, an undefined variable is shown, not an error
    if (e instanceof ExpressionError || e instanceof UndefinedVariableError) return NOT_DEFINED;
    throw e;
  }
};

export const debugModule = defineModule({
  name: 'debug',
  args: debugArgs,
  plan: async (args, ctx) => {
    if (args.var !== undefined) return { changes: [], result: { [args.var]: expressionValue(args.var, ctx.vars) } };
    // as Ansible's: a list or a mapping stays one (a registered debug result is data)
    // `msg: "{{ none_var }}"` is a message of None, only a missing msg is the greeting
    return { changes: [], result: { msg: args.msg === undefined ? 'Hello world!' : args.msg } };
  },
});
