import { readdir } from 'node:fs/promises';
import { composeContainers } from '../../lib/facts/builtin/compose-ps.js';
import { httpGet, type HttpGet } from '../../lib/facts/builtin/http.js';
import { request, type FactRequest } from '../../lib/facts/fact.js';
import { accountAddress } from '../../lib/gonka/account-address.js';
import { adminNodesRequest, parseAdminNodes, type AdminNode } from '../../lib/gonka/admin-api.js';
import { composeScript, type ComposeProject } from '../../lib/gonka/compose-command.js';
import { readFresh } from '../../lib/gonka/poll.js';
import { scheduledNodes, newestArchive } from '../../lib/gonka/decommission.js';
import { CONFIG_ENV, MLNODE_COMPOSE, NETWORK_COMPOSE } from '../../lib/gonka/deploy-files.js';
import { notDeployed } from '../../lib/gonka/deployed.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import type { DecommissionVars } from './vars.js';

const api = (v: DecommissionVars, path: string): HttpGet => ({ url: `${v.gonka_api_url.replace(/\/+$/, '')}${path}`, timeout: 10 });
export const epochRequest = (v: DecommissionVars): HttpGet => api(v, '/v1/epochs/latest');
export const participantsRequest = (v: DecommissionVars): HttpGet => api(v, '/v1/epochs/current/participants');

export const mlProject = (v: DecommissionVars): ComposeProject => ({ dir: v.gonka_deploy_dir, files: [MLNODE_COMPOSE] });
export const networkProject = (v: DecommissionVars): ComposeProject => ({ dir: v.gonka_deploy_dir, files: [NETWORK_COMPOSE], env_file: CONFIG_ENV });

/**
 * The services of a compose file that run on the host. Both files are one compose project (the deploy dir), so
 * `ps` lists the containers of both: the file's own services (`config --services`) pick out its own.
 */
export const runningServicesOf = async (ctx: ModuleContext, project: ComposeProject, fresh = false): Promise<string[]> => {
  const containers = fresh ? await readFresh(ctx, composeContainers, project) : await ctx.facts.read(composeContainers, project);
  const defined = await ctx.exec(composeScript(project, ['config', '--services']));
  const own = new Set(defined.code === 0 ? defined.stdout.split('\n').map((s) => s.trim()) : []);
  return [...(containers ?? new Map()).values()].filter((c) => c.state === 'running' && own.has(c.service)).map((c) => c.service);
};

export const planFacts = (v: DecommissionVars): FactRequest[] => [
  request(httpGet, adminNodesRequest(v.gonka_admin_url)),
  request(httpGet, epochRequest(v)),
  request(httpGet, participantsRequest(v)),
  request(composeContainers, mlProject(v)),
  request(composeContainers, networkProject(v)),
];

export interface EpochNow {
  epoch: number;
  height: number;
  phase: string;
  nextPocStart: number;
  claimMoney: number;
}

/** /v1/epochs/latest, as the decommission reads it; undefined when the api does not answer with an epoch. */
export const epochOf = (json: unknown): EpochNow | undefined => {
  const e = json as
    | { block_height?: number; phase?: string; latest_epoch?: { index?: number }; epoch_stages?: { next_poc_start?: number; claim_money?: number } }
    | undefined;
  if (typeof e?.latest_epoch?.index !== 'number' || typeof e.block_height !== 'number') return undefined;
  return {
    epoch: e.latest_epoch.index,
    height: e.block_height,
    phase: e.phase ?? 'unknown',
    nextPocStart: e.epoch_stages?.next_poc_start ?? 0,
    claimMoney: e.epoch_stages?.claim_money ?? 0,
  };
};

const nodeLine = (n: AdminNode, scheduled: string[], epoch: number): string => {
  const preserved = Object.keys((n.state as { preserved_models?: Record<string, unknown> }).preserved_models ?? {});
  const enabled = n.state.admin_state?.enabled !== false ? 'enabled' : 'disabled';
  return (
    `ML node ${n.node.id}: ${enabled}, ${n.state.current_status ?? 'UNKNOWN'}, ` +
    `${scheduled.includes(n.node.id) ? `scheduled for inference in epoch ${epoch}` : `not in epoch ${epoch}'s participants`}` +
    (preserved.length ? `, preserved models ${preserved.join(', ')} (serves one epoch more)` : '')
  );
};

const archiveLine = async (v: DecommissionVars): Promise<string> => {
  const names = await readdir(v.backup_dir).catch(() => [] as string[]);
  const newest = newestArchive(names, v.inventory_hostname);
  return newest
    ? `backup: the newest archive of ${v.inventory_hostname} is ${v.backup_dir}/${newest}`
    : `backup: no archive of ${v.inventory_hostname} in ${v.backup_dir}/`;
};

const refuse = (msg: string, report: string[]): ModuleResult => ({ changed: false, failed: true, msg, operator_report: report });

/**
 * What the decommission will do, read before anything changes (reference gonka-operations.md §11): the epoch, every
 * ML node with whether the epoch still schedules it, the newest backup archive; refused without decommission=true
 * and without backup_taken=true (the identity must be safe before the node stops).
 */
export const planDecommission = async (ctx: ModuleContext, v: DecommissionVars): Promise<ModuleResult> => {
  const missing = await notDeployed(ctx, v.gonka_deploy_dir);
  if (missing) return refuse(missing, []);
  if (!v.account_pubkey) return refuse('account_pubkey is not set: the participant whose ML nodes leave is unknown', []);
  const admin = await ctx.facts.read(httpGet, adminNodesRequest(v.gonka_admin_url));
  const nodes = parseAdminNodes(admin.status, admin.json);
  if (!nodes) return refuse(`the admin API (${v.gonka_admin_url}) on ${ctx.hostname} does not answer: is the api running?`, []);
  const now = epochOf((await ctx.facts.read(httpGet, epochRequest(v))).json);
  if (!now) return refuse(`the public API (${epochRequest(v).url}) does not say the epoch`, []);
  const address = accountAddress(v.account_pubkey);
  const ids = nodes.map((n) => n.node.id);
  const scheduled = scheduledNodes((await ctx.facts.read(httpGet, participantsRequest(v))).json, address, ids);
  const running = (p: ComposeProject) => async () =>
    [...((await ctx.facts.read(composeContainers, p)) ?? new Map()).values()].filter((c) => c.state === 'running').map((c) => c.service);
  const [mlServices, networkServices] = [await running(mlProject(v))(), await running(networkProject(v))()];
  const report = [
    `participant ${address}: epoch ${now.epoch}, height ${now.height}, phase ${now.phase}; next PoC at block ${now.nextPocStart}`,
    ...nodes.map((n) => nodeLine(n, scheduled, now.epoch)),
    `this epoch's reward is claimed after block ${now.claimMoney} of the next epoch: keep the node online until then or check it (reference §11.4)`,
    await archiveLine(v),
    `plan: disable ${ids.length} ML node(s); wait until the epoch's participants no longer hold them (at most ${v.decommission_wait_epochs} epoch(s) more); ` +
      `stop the ML servers (${mlServices.join(', ') || 'none running here'}); then the network node (${networkServices.join(', ') || 'none running'}); files stay on the server`,
  ];
  const check = ctx.check || v.ansible_check_mode;
  if (!check && !v.decommission)
    return refuse('decommission refused: this disables every ML node and stops the servers; run again with -e decommission=true', report);
  if (!check && !v.backup_taken)
    return refuse(
      `decommission refused: back the node identity up first (nop run playbooks/backup.yml -i INVENTORY -l ${v.inventory_hostname}: consensus key, node key, ` +
        'warm keyring, keyring password; the cold key stays with you), then run again with -e backup_taken=true',
      report,
    );
  if (check) report.push('a real run needs -e decommission=true and -e backup_taken=true');
  return {
    changed: false,
    msg: report.join('; '),
    operator_report: report,
    ansible_facts: {
      decommission_plan: { address, node_ids: ids, start_epoch: now.epoch },
    },
  };
};
