import { posix } from 'node:path';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { formatBytes } from '../../lib/progress/format.js';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import { daemonHomes, freeBytes, listBackups } from './usage.js';
import type { DiskVars } from './vars.js';

/** Remove the old data-backup-* dirs the usage task listed (nothing else), then check they are gone and the newest stay. */
export const pruneBackups = async (ctx: ModuleContext, v: DiskVars): Promise<ModuleResult> => {
  const plan = v.disk_prune_plan;
  if (plan.length === 0) return { changed: false, msg: `every daemon home keeps at most ${v.data_backups_keep} data-backup: nothing to prune` };
  const freed = formatBytes(plan.reduce((n, b) => n + b.bytes, 0));
  const names = plan.map((b) => b.path);
  if (ctx.check) return { changed: true, msg: `would remove ${names.join(', ')} (${freed})`, operator_report: names.map((p) => `would remove ${p}`) };
  if (!v.prune_data_backups)
    return {
      changed: false,
      failed: true,
      msg: `${plan.length} old data-backup dir(s) (${freed}) would be removed: ${names.join(', ')}; set prune_data_backups=true to remove them`,
    };
  const homes = daemonHomes(v);
  // the plan came from this host a moment ago: refuse anything that is not a data-backup dir directly in a daemon home
  const stray = plan.find((b) => !homes.includes(posix.dirname(b.path)) || !/^data-backup-[^/]+$/.test(b.name) || posix.basename(b.path) !== b.name);
  if (stray) return { changed: false, failed: true, msg: `refusing to remove ${stray.path}: not a data-backup-* dir of ${homes.join(' or ')}` };
  const res = await ctx.exec(`rm -rf -- ${shellJoin(names)}`);
  if (res.code !== 0) return { changed: true, failed: true, msg: `removing ${names.join(', ')} failed: ${res.stderr.trim()}` };
  const left = (await Promise.all(homes.map((h) => listBackups(ctx, h, false)))).flat().map((b) => b.path);
  const still = names.filter((p) => left.includes(p));
  if (still.length) return { changed: true, failed: true, msg: `still there after rm: ${still.join(', ')}` };
  const free = await freeBytes(ctx, homes[0]);
  const report = [
    ...names.map((p) => `removed ${p}`),
    `kept ${left.join(', ') || 'nothing'}; ${freed} returned, ${free === undefined ? '?' : formatBytes(free)} free now`,
  ];
  return { changed: true, msg: report.join('\n'), operator_report: report, removed: names };
};
