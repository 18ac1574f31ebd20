import type { ModuleContext } from '../modules/module.js';
import { composeScript, type ComposeProject } from './compose-command.js';

/**
 * The last lines a compose service logged (empty when compose cannot read them): read when a wait failed, to say
 * why, so it is an exec of its own and never part of a play's batch.
 */
export const serviceLogs = async (ctx: ModuleContext, project: ComposeProject, service: string, lines = 200): Promise<string> => {
  const res = await ctx.exec(composeScript(project, ['logs', '--no-color', '--tail', String(lines), service]));
  return res.code === 0 ? res.stdout : '';
};
