import { posix } from 'node:path';
import type { ModuleContext } from '../../lib/modules/module.js';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import { hostRequest } from '../../lib/gonka/host-request.js';
import type { RepairVars } from './vars.js';

export const NETWORK_COMPOSE = 'docker-compose.yml';
export const MLNODE_COMPOSE = 'docker-compose.mlnode.yml';

export interface UpgradeInfo {
  name: string;
  height: number;
  info: string;
}

export type Diagnosis =
  | { kind: 'halted_at_upgrade'; evidence: string; upgrade: UpgradeInfo }
  | { kind: 'upgrade_info_present'; evidence: string; upgrade: UpgradeInfo }
  | { kind: 'dangling_current'; evidence: string }
  | { kind: 'container_down'; evidence: string; file: string; service: string; state: string }
  | { kind: 'disk_low'; evidence: string; avail_gb: number }
  | { kind: 'mlnode_failed'; evidence: string; node_id: string };

export const inferenceHome = (v: RepairVars): string => posix.join(v.gonka_deploy_dir, '.inference');

const upgradeInfo = async (ctx: ModuleContext, v: RepairVars): Promise<UpgradeInfo | undefined> => {
  const res = await ctx.exec(`cat -- ${shellJoin([posix.join(inferenceHome(v), 'data/upgrade-info.json')])}`);
  if (res.code !== 0 || !res.stdout.trim()) return undefined;
  return JSON.parse(res.stdout) as UpgradeInfo;
};

const upgradeBinaryPresent = async (ctx: ModuleContext, v: RepairVars, name: string): Promise<boolean> =>
  (await ctx.exec(`test -x ${shellJoin([posix.join(inferenceHome(v), 'cosmovisor/upgrades', name, 'bin/inferenced')])}`)).code === 0;

export const compose = (v: RepairVars, file: string, args: string[]): string =>
  `cd ${shellJoin([v.gonka_deploy_dir])} && if [ -f config.env ]; then set -a; . ./config.env; set +a; fi && docker compose ${shellJoin(['-f', file, ...args])}`;

const upgradeDiagnoses = async (ctx: ModuleContext, v: RepairVars): Promise<Diagnosis[]> => {
  const info = await upgradeInfo(ctx, v);
  if (!info || (await upgradeBinaryPresent(ctx, v, info.name))) return [];
  const logs = await ctx.exec(compose(v, NETWORK_COMPOSE, ['logs', '--tail', '300', 'node']));
  const line = logs.stdout
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

const containersDown = async (ctx: ModuleContext, v: RepairVars): Promise<Diagnosis[]> => {
  const out: Diagnosis[] = [];
  for (const file of [NETWORK_COMPOSE, MLNODE_COMPOSE]) {
    if ((await ctx.exec(`test -f ${shellJoin([posix.join(v.gonka_deploy_dir, file)])}`)).code !== 0) continue;
    // both files share one compose project, so ps lists the other file's containers too: keep this file's own
    const declared = (await ctx.exec(compose(v, file, ['config', '--services']))).stdout.split('\n').map((s) => s.trim());
    const ps = await ctx.exec(compose(v, file, ['ps', '-a', '--format', 'json']));
    for (const line of ps.stdout.split('\n').filter((l) => l.trim().startsWith('{'))) {
      const c = JSON.parse(line) as { Service: string; State: string; Status?: string };
      if (c.State !== 'running' && declared.includes(c.Service))
        out.push({ kind: 'container_down', evidence: `${file}: ${c.Service} is ${c.State} (${c.Status ?? ''})`, file, service: c.Service, state: c.State });
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

interface AdminNode {
  node: { id: string };
  state: { current_status: string; failure_reason: string; admin_state: { enabled: boolean } };
}

export const adminNodes = async (ctx: ModuleContext, v: RepairVars): Promise<AdminNode[]> => {
  const res = await hostRequest(ctx, `${v.gonka_admin_url}/admin/v1/nodes`);
  return res.status === 200 && Array.isArray(res.json) ? (res.json as AdminNode[]) : [];
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
