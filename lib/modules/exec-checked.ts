import type { ExecOptions, ExecResult } from '../transport/transport.js';
import { CommandError, type ModuleContext } from './module.js';

/** Run a script a module built itself; a non-zero exit is an error naming the script. */
export const execChecked = async (ctx: ModuleContext, script: string, opts?: ExecOptions): Promise<ExecResult> => {
  const result = await ctx.exec(script, opts);
  if (result.code !== 0) throw new CommandError(script, result);
  return result;
};
