import { serviceModule } from '../../lib/modules/builtin/service.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';

/**
 * The service module, except that in check mode a unit an earlier task would have installed is reported as
 * "would be started" instead of failing as not found.
 */
export const ensureService = async (
  ctx: ModuleContext,
  args: { name: string; state?: 'started'; enabled: true; daemon_reload?: boolean },
): Promise<ModuleResult> => {
  const res = await ctx.call(serviceModule, args);
  if (ctx.check && res.failed && /Could not find/.test(res.msg ?? ''))
    return { changed: true, msg: `would enable${args.state ? ' and start' : ''} ${args.name} once installed` };
  return res;
};
