import { posix } from 'node:path';
import { listBackupsScript, parseBackupListing, planPrune, type DataBackup } from '../../lib/gonka/data-backups.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { formatBytes } from '../../lib/progress/format.js';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import { applicationDbLine, pruningAdvice } from './application-db.js';
import type { DiskVars } from './vars.js';

/** The daemon homes Cosmovisor backs up before an upgrade: the node's and the api's. */
export const daemonHomes = (v: DiskVars): string[] => ['.inference', '.dapi'].map((h) => posix.join(v.gonka_deploy_dir, h));

export const listBackups = async (ctx: ModuleContext, home: string, sizes = true): Promise<DataBackup[]> => {
  const res = await ctx.exec(listBackupsScript(home, sizes));
  if (res.code !== 0) throw new Error(`listing ${home}/data-backup-*: ${res.stderr.trim()}`);
  return parseBackupListing(home, res.stdout);
};

const bytesOf = async (ctx: ModuleContext, path: string): Promise<number | undefined> => {
  const res = await ctx.exec(`du -sb -- ${shellJoin([path])} 2>/dev/null | cut -f1`);
  return /^\d+$/.test(res.stdout.trim()) ? Number(res.stdout.trim()) : undefined;
};

export const freeBytes = async (ctx: ModuleContext, path: string): Promise<number | undefined> => {
  const res = await ctx.exec(`df -P -B1 -- ${shellJoin([path])} | awk 'NR==2 {print $4}'`);
  return /^\d+$/.test(res.stdout.trim()) ? Number(res.stdout.trim()) : undefined;
};

/** What takes the chain's disk: each data-backup (kept or to go), application.db and its growth, the pruning settings. */
export const diskUsage = async (ctx: ModuleContext, v: DiskVars): Promise<ModuleResult> => {
  const report: string[] = [];
  const remove: DataBackup[] = [];
  const [inference] = daemonHomes(v);
  let newestNodeBackup: DataBackup | undefined;
  for (const home of daemonHomes(v)) {
    const plan = planPrune(await listBackups(ctx, home), v.data_backups_keep);
    if (home === inference) newestNodeBackup = plan.keep.at(-1);
    for (const b of plan.keep) report.push(`keep ${b.path} (${formatBytes(b.bytes)})`);
    for (const b of plan.remove) report.push(`old  ${b.path} (${formatBytes(b.bytes)})`);
    remove.push(...plan.remove);
  }
  const appDb = await bytesOf(ctx, posix.join(inference, 'data/application.db'));
  const now = Number((await ctx.exec('date +%s')).stdout.trim());
  if (appDb !== undefined) {
    const backupDb = newestNodeBackup && (await bytesOf(ctx, posix.join(newestNodeBackup.path, 'application.db')));
    report.push(applicationDbLine(appDb, newestNodeBackup && backupDb !== undefined ? { backup: newestNodeBackup, bytes: backupDb } : undefined, now));
    if (appDb > v.application_db_warn_gb * 1e9) report.push(`application.db is over ${v.application_db_warn_gb} GB`);
  } else report.push(`no ${inference}/data/application.db yet`);
  const appToml = await ctx.exec(`cat -- ${shellJoin([posix.join(inference, 'config/app.toml')])}`);
  const advice = appToml.code === 0 ? pruningAdvice(appToml.stdout) : undefined;
  if (advice) report.push(advice);
  const free = await freeBytes(ctx, inference);
  const freed = remove.reduce((n, b) => n + b.bytes, 0);
  report.push(
    `${free === undefined ? '?' : formatBytes(free)} free beside ${inference}` +
      (remove.length ? `; removing the ${remove.length} old backup(s) returns ${formatBytes(freed)}` : '; no old data-backup to remove'),
  );
  return { changed: false, msg: report.join('\n'), operator_report: report, ansible_facts: { disk_prune_plan: remove } };
};
