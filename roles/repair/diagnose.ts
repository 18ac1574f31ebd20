import { posix } from 'node:path';
import { parse } from 'yaml';
import { composeContainers } from '../../lib/facts/builtin/compose-ps.js';
import { fileContent } from '../../lib/facts/builtin/file-content.js';
import { httpGet } from '../../lib/facts/builtin/http.js';
import { request, type FactRequest } from '../../lib/facts/fact.js';
import { adminNodesRequest, parseAdminNodes, type AdminNode } from '../../lib/gonka/admin-api.js';
import type { ComposeProject } from '../../lib/gonka/compose-command.js';
import { CONFIG_ENV, MLNODE_COMPOSE, NETWORK_COMPOSE } from '../../lib/gonka/deploy-files.js';
import { serviceLogs } from '../../lib/gonka/service-logs.js';
import type { ModuleContext } from '../../lib/modules/module.js';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import { parseUpgradeInfo, type Diagnosis } from './diagnosis.js';
import type { RepairVars } from './vars.js';

export const inferenceHome = (v: RepairVars): string => posix.join(v.gonka_deploy_dir, '.inference');

/** One compose file of the deploy directory, config.env sourced when there (the network file interpolates it). */
export const composeProject = (v: RepairVars, file: string): ComposeProject => ({ dir: v.gonka_deploy_dir, files: [file], env_file: CONFIG_ENV });

const COMPOSE_FILES = [NETWORK_COMPOSE, MLNODE_COMPOSE];
const upgradeInfoFile = (v: RepairVars) => posix.join(inferenceHome(v), 'data/upgrade-info.json');
const adminRequest = (v: RepairVars) => adminNodesRequest(v.gonka_admin_url);

/** What the diagnosis reads in the play's batch: the upgrade plan, the compose files and their containers, the ML nodes. */
export const diagnosisFacts = (v: RepairVars): FactRequest[] => [
  request(fileContent, upgradeInfoFile(v)),
  ...COMPOSE_FILES.flatMap((f) => [request(fileContent, posix.join(v.gonka_deploy_dir, f)), request(composeContainers, composeProject(v, f))]),
  request(httpGet, adminRequest(v)),
];

const text = async (ctx: ModuleContext, path: string): Promise<string | undefined> => (await ctx.facts.read(fileContent, path))?.toString('utf8');

const upgradeBinaryPresent = async (ctx: ModuleContext, v: RepairVars, name: string): Promise<boolean> =>
  (await ctx.exec(`test -x ${shellJoin([posix.join(inferenceHome(v), 'cosmovisor/upgrades', name, 'bin/inferenced')])}`)).code === 0;

const upgradeDiagnoses = async (ctx: ModuleContext, v: RepairVars): Promise<Diagnosis[]> => {
  const info = parseUpgradeInfo(await text(ctx, upgradeInfoFile(v)));
  if (!info || (await upgradeBinaryPresent(ctx, v, info.name))) return [];
  const logs = await serviceLogs(ctx, composeProject(v, NETWORK_COMPOSE), 'node', 300);
  const line = logs
    .split('\n')
    .reverse()
    .find((l) => l.includes(`UPGRADE "${info.name}" NEEDED`));
  const file = `data/upgrade-info.json: upgrade ${info.name} at height ${info.height}, no cosmovisor/upgrades/${info.name}/bin/inferenced`;
  return line
    ? [{ kind: 'halted_at_upgrade', evidence: `node log: ${line.trim().slice(0, 300)}; ${file}`, upgrade: info }]
    : [{ kind: 'upgrade_info_present', evidence: file, upgrade: info }];
};

const danglingCurrent = async (ctx: ModuleContext, v: RepairVars): Promise<Diagnosis[]> => {
  const link = posix.join(inferenceHome(v), 'cosmovisor/current');
  const res = await ctx.exec(`l=${shellJoin([link])}; if [ -L "$l" ] && [ ! -e "$l" ]; then readlink -- "$l"; exit 3; fi`);
  return res.code === 3 ? [{ kind: 'dangling_current', evidence: `cosmovisor/current -> ${res.stdout.trim()} does not exist` }] : [];
};

const servicesOf = (compose: string): string[] => Object.keys((parse(compose) as { services?: Record<string, unknown> } | null)?.services ?? {});

const containersDown = async (ctx: ModuleContext, v: RepairVars): Promise<Diagnosis[]> => {
  const out: Diagnosis[] = [];
  for (const file of COMPOSE_FILES) {
    const compose = await text(ctx, posix.join(v.gonka_deploy_dir, file));
    if (compose === undefined) continue;
    // both files share one compose project, so ps lists the other file's containers too: keep this file's own
    const declared = servicesOf(compose);
    const containers = (await ctx.facts.read(composeContainers, composeProject(v, file))) ?? new Map();
    for (const c of containers.values()) {
      if (c.state !== 'running' && declared.includes(c.service))
        out.push({ kind: 'container_down', evidence: `${file}: ${c.service} is ${c.state} (${c.status})`, file, service: c.service, state: c.state });
    }
  }
  return out;
};

export const availableGb = async (ctx: ModuleContext, v: RepairVars): Promise<number | undefined> => {
  const res = await ctx.exec(`df -Pk -- ${shellJoin([v.gonka_deploy_dir])} | tail -n 1`);
  const kb = Number(res.stdout.trim().split(/\s+/)[3]);
  return res.code === 0 && Number.isFinite(kb) ? kb / 1024 / 1024 : undefined;
};

const diskLow = async (ctx: ModuleContext, v: RepairVars): Promise<Diagnosis[]> => {
  const gb = await availableGb(ctx, v);
  if (gb === undefined || gb >= v.repair_min_free_gb) return [];
  return [{ kind: 'disk_low', evidence: `${gb.toFixed(1)} GB free under ${v.gonka_deploy_dir}, below ${v.repair_min_free_gb} GB`, avail_gb: gb }];
};

/** The admin API's ML nodes (an empty list when it does not answer). */
export const adminNodes = async (ctx: ModuleContext, v: RepairVars): Promise<AdminNode[]> => {
  const answer = await ctx.facts.read(httpGet, adminRequest(v));
  return parseAdminNodes(answer.status, answer.json) ?? [];
};

/** The admin API's ML nodes as they are now: for a wait that polls them. */
export const adminNodesNow = (ctx: ModuleContext, v: RepairVars): Promise<AdminNode[]> => {
  ctx.facts.invalidate([{ fact: httpGet, arg: adminRequest(v) }]);
  return adminNodes(ctx, v);
};

const failedMlNodes = async (ctx: ModuleContext, v: RepairVars): Promise<Diagnosis[]> =>
  (await adminNodes(ctx, v))
    .filter((n) => n.state.current_status === 'FAILED')
    .map((n) => ({ kind: 'mlnode_failed', evidence: `admin API: ${n.node.id} FAILED: ${n.state.failure_reason}`, node_id: n.node.id }));

/** Everything repair knows how to recognise, each with the evidence it was recognised by. */
export const diagnose = async (ctx: ModuleContext, v: RepairVars): Promise<Diagnosis[]> => [
  ...(await upgradeDiagnoses(ctx, v)),
  ...(await danglingCurrent(ctx, v)),
  ...(await containersDown(ctx, v)),
  ...(await diskLow(ctx, v)),
  ...(await failedMlNodes(ctx, v)),
];
