import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { pollUntil } from '../../lib/gonka/poll.js';
import type { ImageChange } from './plan.js';
import { serviceRunning, switchImage } from './switch-image.js';
import type { UpdateVars } from './vars.js';

const waitRunning = async (ctx: ModuleContext, v: UpdateVars, c: ImageChange): Promise<boolean> =>
  (await pollUntil(ctx, { timeout: 120, interval: v.update_poll_interval }, async () =>
    (await serviceRunning(ctx, v.gonka_deploy_dir, c.file, c.service)) ? { done: true } : { waiting: `${c.service}: waiting for the container to run` },
  )) ?? false;

/** tmkms, proxy and explorer, one at a time: a container that does not come up gets its previous image back. */
export const updateNetworkImages = async (ctx: ModuleContext, v: UpdateVars, changes: ImageChange[]): Promise<ModuleResult> => {
  const done: string[] = [];
  for (const c of changes) {
    const failure =
      (await switchImage(ctx, v.gonka_deploy_dir, c, c.to)) ?? ((await waitRunning(ctx, v, c)) ? undefined : `${c.service} does not stay running on ${c.to}`);
    if (failure) {
      const back = await switchImage(ctx, v.gonka_deploy_dir, c, c.from);
      return { changed: true, failed: true, msg: `${failure}; ${back ? `rollback failed: ${back}` : `${c.service} is back on ${c.from}`}`, updated: done };
    }
    done.push(`${c.service}: ${c.from} → ${c.to}`);
  }
  return { changed: done.length > 0, msg: done.join('; '), updated: done };
};
