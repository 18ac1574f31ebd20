import { acquireRunLock, defaultRunLockFile } from './run-lock.js';
import type { ModuleContext, ModuleResult } from '../modules/module.js';

/**
 * The lock is taken on the machine running nop (not on the managed host): it is the same flock a scheduled
 * `nop cron` run is wrapped in, so a manual update and a scheduled repair never run at once.
 */
export const takeRunLock = async (ctx: ModuleContext, file: string | undefined): Promise<ModuleResult> => {
  if (ctx.check) return { changed: false, msg: 'check mode changes nothing: no lock taken' };
  const lock = file ?? defaultRunLockFile();
  const res = await acquireRunLock(lock);
  if (!res.acquired) return { changed: false, failed: true, msg: `another day-2 run holds ${lock} (${res.holder}); wait for it to finish` };
  return { changed: false, msg: `${lock} held (${res.how})` };
};
