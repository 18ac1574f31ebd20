import { chainQuery, type ChainQuery } from '../../lib/facts/builtin/chain-query.js';
import { httpGet, type HttpGet } from '../../lib/facts/builtin/http.js';
import { request, type FactRequest } from '../../lib/facts/fact.js';
import { CONFIG_ENV, NETWORK_COMPOSE } from '../../lib/gonka/deploy-files.js';
import { lastLines } from '../../lib/gonka/last-lines.js';
import { API_CHAIN_NODE } from '../../lib/gonka/operator-account.js';
import { chooseUpgrade, planBinaries, upgradeProposals } from '../../lib/gonka/upgrade-plan.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { OPERATOR_REPORT } from '../../lib/runner/operator-report.js';
import type { UpgradePrestageVars } from './vars.js';

/** `query gov proposals` in the server's api container, against its own node. */
export const proposalsQuery = (v: UpgradePrestageVars): ChainQuery => ({
  inferenced: { project_dir: v.gonka_deploy_dir, files: [NETWORK_COMPOSE], env_file: CONFIG_ENV, service: 'api' },
  node: API_CHAIN_NODE,
  query: ['gov', 'proposals'],
  timeout: 60,
});
const statusRequest = (v: UpgradePrestageVars): HttpGet => ({ url: `${v.gonka_rpc_url.replace(/\/+$/, '')}/status`, timeout: 10 });

export const planFacts = (v: UpgradePrestageVars): FactRequest[] => [request(chainQuery, proposalsQuery(v)), request(httpGet, statusRequest(v))];

const heightOf = (json: unknown): number | undefined => {
  const h = Number((json as { result?: { sync_info?: { latest_block_height?: unknown } } } | undefined)?.result?.sync_info?.latest_block_height);
  return Number.isFinite(h) && h > 0 ? h : undefined;
};

const failed = (msg: string, report?: string[]): ModuleResult => ({ changed: false, failed: true, msg, ...(report ? { [OPERATOR_REPORT]: report } : {}) });

/**
 * The upgrade to pre-stage (reference §16: the proposal passed; name, height, URLs and zip sums from its plan), with
 * each binary's source, sums and Cosmovisor dir. Published as upgrade_prestage_plan / _binaries; nothing ahead: none.
 */
export const choosePlan = async (ctx: ModuleContext, v: UpgradePrestageVars): Promise<ModuleResult> => {
  const status = await ctx.facts.read(httpGet, statusRequest(v));
  const height = status.status === 200 ? heightOf(status.json) : undefined;
  if (height === undefined)
    return failed(`refused: the node's RPC ${statusRequest(v).url} gives no height (${status.status || 'no answer'}): start the node first`);
  const answer = await ctx.facts.read(chainQuery, proposalsQuery(v));
  if (answer.rc !== 0) return failed(`query gov proposals failed in the api container (is it running?): ${lastLines(answer.output, 3)}`);
  let json: unknown;
  try {
    json = JSON.parse(answer.output.split('\n').find((l) => l.trim().startsWith('{')) ?? '');
  } catch {
    return failed(`query gov proposals answered what is not JSON: ${lastLines(answer.output, 2)}`);
  }
  const choice = chooseUpgrade(upgradeProposals(json), { wanted: v.upgrade, height });
  if ('refuse' in choice) return failed(`refused: ${choice.refuse}`, [choice.refuse]);
  if ('none' in choice) return { changed: false, msg: choice.none, [OPERATOR_REPORT]: [choice.none] };
  const { plan, id, title } = choice.proposal;
  const planned = planBinaries(plan, { deployDir: v.gonka_deploy_dir, platform: v.upgrade_platform, binarySha256: v.upgrade_binary_sha256 });
  const head = `upgrade ${plan.name} at height ${plan.height} (${plan.height - height} blocks ahead of ${height}), approved by proposal ${id}${title ? ` "${title}"` : ''}`;
  if ('errors' in planned) return failed(`refused: ${planned.errors.join('; ')}`, [head, ...planned.errors]);
  const lines = planned.binaries.map((b) => `${b.binary}: ${b.url} (zip sha256 ${b.zip_sha256}; binary sha256 ${b.binary_sha256}) → ${b.dir}/${b.binary}`);
  return {
    changed: false,
    msg: head,
    [OPERATOR_REPORT]: [head, ...lines],
    ansible_facts: { upgrade_prestage_plan: plan, upgrade_prestage_binaries: planned.binaries },
  };
};
