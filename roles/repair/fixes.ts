import { posix } from 'node:path';
import { httpGet } from '../../lib/facts/builtin/http.js';
import { rpcStatusRequest, syncStatusOf } from '../../lib/gonka/chain-status.js';
import { CONFIG_ENV, NETWORK_COMPOSE } from '../../lib/gonka/deploy-files.js';
import { gonkaAdminNodeModule } from '../../lib/gonka/modules/admin-node.js';
import { composeServiceModule } from '../../lib/gonka/modules/compose-service.js';
import { pollUntil, readFresh } from '../../lib/gonka/poll.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import { listBackupsScript, parseBackupListing, planPrune } from '../../lib/gonka/data-backups.js';
import { adminNodesNow, availableGb, inferenceHome } from './diagnose.js';
import type { UpgradeInfo } from './diagnosis.js';
import { installBinary, plannedBinaries } from './upgrade-binaries.js';
import type { RepairVars } from './vars.js';

export const pendingUpgrade = (v: RepairVars): UpgradeInfo | undefined => {
  const d = v.repair_diagnoses.find((x) => x.kind === 'halted_at_upgrade' || x.kind === 'upgrade_info_present');
  return d && 'upgrade' in d ? d.upgrade : undefined;
};

/** The upgrade's node and api binaries, checksum-verified, into cosmovisor/upgrades/<name>/bin/. */
export const placeUpgradeBinaries = async (ctx: ModuleContext, v: RepairVars): Promise<ModuleResult> => {
  const upgrade = pendingUpgrade(v)!;
  const binaries = plannedBinaries(v, upgrade);
  if ('error' in binaries) return { changed: false, failed: true, msg: binaries.error };
  const unverified = binaries.filter((b) => !b.sha256);
  if (unverified.length && !v.allow_unverified) {
    return {
      changed: false,
      failed: true,
      msg: `upgrade ${upgrade.name}: no sha256 published for ${unverified.map((b) => b.url).join(', ')}; refusing unverified binaries (allow_unverified=true accepts them)`,
    };
  }
  if (ctx.check) return { changed: true, msg: `would place ${binaries.map((b) => `${b.binary} from ${b.url} in ${b.dest}`).join('; ')}` };
  const placed: string[] = [];
  for (const b of binaries) {
    const res = await installBinary(ctx, v, b);
    if (res.failed) return { ...res, changed: placed.length > 0, placed };
    placed.push(String(res.msg));
  }
  return { changed: true, msg: placed.join('; '), placed };
};

const rpcHeight = async (ctx: ModuleContext, v: RepairVars): Promise<number | undefined> =>
  syncStatusOf(await readFresh(ctx, httpGet, rpcStatusRequest(v.gonka_rpc_url)))?.height;

/** `docker compose up --force-recreate` of services of one compose file: a failure's message, or undefined. */
const recreate = async (ctx: ModuleContext, v: RepairVars, file: string, services: string[]): Promise<string | undefined> => {
  const res = await ctx.call(composeServiceModule, { project_dir: v.gonka_deploy_dir, files: [file], env_file: CONFIG_ENV, services, state: 'recreated' });
  return res.failed ? String(res.msg) : undefined;
};

/** Restart node and api on the new binaries and wait until the chain moves past the upgrade height. */
export const restartPastUpgrade = async (ctx: ModuleContext, v: RepairVars): Promise<ModuleResult> => {
  const upgrade = pendingUpgrade(v)!;
  if (ctx.check) return { changed: true, msg: `would restart node and api and wait for height ${upgrade.height}` };
  const failed = await recreate(ctx, v, NETWORK_COMPOSE, ['node', 'api']);
  if (failed) return { changed: true, failed: true, msg: `restarting node and api failed: ${failed}` };
  const height = await pollUntil(ctx, { timeout: v.repair_height_timeout, interval: v.repair_poll_interval }, async () => {
    const h = await rpcHeight(ctx, v);
    return h !== undefined && h >= upgrade.height ? { done: h } : { waiting: `height ${h ?? 'unknown (rpc not answering)'}, waiting for ${upgrade.height}` };
  });
  if (height === undefined)
    return {
      changed: true,
      failed: true,
      msg: `node and api restarted but the height did not reach ${upgrade.height} within ${v.repair_height_timeout} s: read the node's logs`,
    };
  return { changed: true, msg: `node and api restarted on ${upgrade.name}; height ${height} is past the upgrade height ${upgrade.height}`, height };
};

/** Containers that exited or crash-loop are brought up again (node and api are left to the upgrade fix). */
export const restartDownContainers = async (ctx: ModuleContext, v: RepairVars): Promise<ModuleResult> => {
  const upgradeFixed = pendingUpgrade(v) !== undefined;
  const down = v.repair_diagnoses.flatMap((d) => (d.kind === 'container_down' && !(upgradeFixed && ['node', 'api'].includes(d.service)) ? [d] : []));
  if (down.length === 0) return { changed: false, msg: 'nothing left to restart' };
  const files = [...new Set(down.map((d) => d.file))];
  if (ctx.check) return { changed: true, msg: `would restart ${down.map((d) => d.service).join(', ')}` };
  for (const file of files) {
    const services = down.filter((d) => d.file === file).map((d) => d.service);
    const failed = await recreate(ctx, v, file, services);
    if (failed) return { changed: true, failed: true, msg: `docker compose -f ${file} up failed: ${failed}` };
  }
  return { changed: true, msg: `restarted ${down.map((d) => d.service).join(', ')}` };
};

/** With the disk low, remove Cosmovisor's data-backup-* dirs except the newest: never anything else. */
export const pruneDataBackups = async (ctx: ModuleContext, v: RepairVars): Promise<ModuleResult> => {
  const home = inferenceHome(v);
  const list = await ctx.exec(listBackupsScript(home, false));
  // cosmovisor's dates are unpadded (data-backup-2026-10-1 is newer than data-backup-2026-9-30): ordered by date, not name
  const { keep, remove } = planPrune(parseBackupListing(home, list.stdout), 1);
  const backups = [...remove, ...keep].map((b) => b.name);
  const prune = remove.map((b) => b.name);
  if (prune.length === 0)
    return { changed: false, msg: `disk is low but there is no old data-backup-* to prune (${backups.length} backup kept); free space by hand` };
  if (ctx.check) return { changed: true, msg: `would remove ${prune.join(', ')} (keeping ${backups.at(-1)})` };
  const res = await ctx.exec(`cd ${shellJoin([home])} && rm -rf -- ${shellJoin(prune)}`);
  if (res.code !== 0) return { changed: true, failed: true, msg: `removing old backups failed: ${res.stderr.trim()}` };
  const gb = await availableGb(ctx, v);
  return {
    changed: true,
    msg: `removed ${prune.join(', ')}; kept ${backups.at(-1)}; ${gb?.toFixed(1) ?? '?'} GB free now`,
    removed: prune.map((d) => posix.join(home, d)),
  };
};

/** ML nodes that were FAILED: enabled again once the api no longer reports them failed. */
export const reenableRecovered = async (ctx: ModuleContext, v: RepairVars): Promise<ModuleResult> => {
  const ids = v.repair_diagnoses.flatMap((d) => (d.kind === 'mlnode_failed' ? [d.node_id] : []));
  const recovered = await pollUntil(ctx, { timeout: v.repair_height_timeout, interval: v.repair_poll_interval }, async () => {
    const nodes = (await adminNodesNow(ctx, v)).filter((n) => ids.includes(n.node.id));
    const still = nodes.filter((n) => n.state.current_status === 'FAILED');
    return still.length === 0 ? { done: nodes } : { waiting: `still FAILED: ${still.map((n) => `${n.node.id} (${n.state.failure_reason})`).join(', ')}` };
  });
  if (!recovered)
    return {
      changed: false,
      failed: true,
      msg: `ML nodes ${ids.join(', ')} are still FAILED after ${v.repair_height_timeout} s: see their failure_reason in the admin API`,
    };
  const disabled = recovered.filter((n) => n.state.admin_state?.enabled === false);
  if (ctx.check) return { changed: disabled.length > 0, msg: `would enable ${disabled.map((n) => n.node.id).join(', ') || 'nothing'}` };
  if (disabled.length) {
    const res = await ctx.call(gonkaAdminNodeModule, { admin_url: v.gonka_admin_url, nodes: disabled.map((n) => ({ id: n.node.id })) });
    if (res.failed) return { changed: false, failed: true, msg: `enable ${disabled.map((n) => n.node.id).join(', ')}: ${res.msg}` };
  }
  return { changed: disabled.length > 0, msg: `${ids.join(', ')} recovered${disabled.length ? `; enabled ${disabled.map((n) => n.node.id).join(', ')}` : ''}` };
};
