import { posix } from 'node:path';
import { httpGet, type HttpGet } from '../../lib/facts/builtin/http.js';
import { request, type FactRequest } from '../../lib/facts/fact.js';
import { rpcStatusRequest } from '../../lib/gonka/chain-status.js';
import { CONFIG_ENV } from '../../lib/gonka/deploy-files.js';
import { notDeployed } from '../../lib/gonka/deployed.js';
import {
  configuredSeeds,
  deriveSeedEndpoints,
  nodeInfoOf,
  seedChanges,
  seedEntry,
  seedRefusal,
  seedStatusUrl,
  seedsNotAppliedReason,
} from '../../lib/gonka/seed-endpoints.js';
import { parseEnvFile } from '../../lib/gonka/service-fingerprints.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import type { SeedsVars } from './vars.js';

const seedRequest = (v: SeedsVars): HttpGet => ({ url: seedStatusUrl(v.seed_api_url), timeout: 10 });
const epochRequest = (v: SeedsVars): HttpGet => ({ url: `${v.gonka_api_url.replace(/\/+$/, '')}/v1/epochs/latest`, timeout: 10 });

/** Read with the play's other facts: the seed's /status (from the server: it must reach the seed), the node's, the epoch. */
export const seedPlanFacts = (v: SeedsVars): FactRequest[] => [
  request(httpGet, seedRequest(v)),
  request(httpGet, rpcStatusRequest(v.gonka_rpc_url)),
  ...(v.reset_chain_data ? [request(httpGet, epochRequest(v))] : []),
];

const refuse = (msg: string): ModuleResult => ({ changed: false, failed: true, msg });

/** A reset restarts the node: never while PoC or a Confirmation PoC runs (reference gonka-operations.md §0). */
const unsafeWindow = async (ctx: ModuleContext, v: SeedsVars): Promise<string | undefined> => {
  const answer = await ctx.facts.read(httpGet, epochRequest(v));
  const epoch = answer.json as { phase?: string; is_confirmation_poc_active?: boolean; block_height?: number } | undefined;
  if (answer.status !== 200 || typeof epoch?.phase !== 'string') return `the node's api (${epochRequest(v).url}) does not say the epoch's phase`;
  if (epoch.phase !== 'Inference') return `PoC is running (phase ${epoch.phase} at height ${epoch.block_height}): the node must not restart now`;
  if (epoch.is_confirmation_poc_active) return `a Confirmation PoC is running at height ${epoch.block_height}: the node must not restart now`;
  return undefined;
};

/**
 * The switch, planned before anything changes: the seed must answer /chain-rpc/status for this node's chain; its RPC
 * URL and p2p address are derived from that answer (reference gonka-operations.md §13); config.env's current seed
 * and whether the node is initialised decide what a switch can do.
 */
export const planSeeds = async (ctx: ModuleContext, v: SeedsVars): Promise<ModuleResult> => {
  const missing = await notDeployed(ctx, v.gonka_deploy_dir);
  if (missing) return refuse(missing);
  const statusUrl = seedRequest(v).url;
  const seed = nodeInfoOf(await ctx.facts.read(httpGet, seedRequest(v)), statusUrl);
  const local = nodeInfoOf(await ctx.facts.read(httpGet, rpcStatusRequest(v.gonka_rpc_url)), rpcStatusRequest(v.gonka_rpc_url).url);
  const chainId = 'error' in local ? v.gonka_chain_id : local.chainId;
  if (!chainId)
    return refuse(
      `this node's chain is unknown (${'error' in local ? local.error : 'no chain id'}): pass -e gonka_chain_id=CHAIN so the seed can be checked against it`,
    );
  const refusal = seedRefusal(seed, chainId);
  if (refusal || 'error' in seed) return refuse(refusal ?? 'the seed is refused');
  const endpoints = deriveSeedEndpoints(v.seed_api_url, seed.listenAddr);
  if ('error' in endpoints) return refuse(`the seed is refused: ${endpoints.error}`);
  const env = await ctx.exec(`cat ${shellJoin([posix.join(v.gonka_deploy_dir, CONFIG_ENV)])}`);
  if (env.code !== 0) return refuse(`${posix.join(v.gonka_deploy_dir, CONFIG_ENV)} cannot be read: ${env.stderr.trim()}`);
  const initialized = (await ctx.exec(`test -e ${shellJoin([posix.join(v.gonka_deploy_dir, '.inference/.node_initialized')])}`)).code === 0;
  const toml = await ctx.exec(`cat ${shellJoin([posix.join(v.gonka_deploy_dir, '.inference/config/config.toml')])} 2>/dev/null`);
  const entry = seedEntry(seed.id, endpoints);
  const current = configuredSeeds(toml.stdout);
  const applied = initialized && current.includes(entry);
  if (v.reset_chain_data && initialized && !applied) {
    const unsafe = await unsafeWindow(ctx, v);
    if (unsafe) return refuse(`reset_chain_data refused: ${unsafe}; run again in the Inference phase`);
  }
  const changes = seedChanges(parseEnvFile(env.stdout), endpoints);
  const report = [
    `seed ${endpoints.SEED_API_URL}: node ${seed.id} on chain ${seed.chainId}, p2p listen_addr ${seed.listenAddr}`,
    ...(changes.length ? changes.map((c) => `config.env ${c}`) : ['config.env already names this seed']),
    `the node's p2p.seeds (config.toml): ${current.join(', ') || '(none)'}`,
    !initialized
      ? 'the node is not initialised yet: it reads the new seeds at its first start'
      : applied
        ? `the node already uses this seed (${entry}): nothing to reset`
        : v.reset_chain_data
          ? 'reset_chain_data=true: the node is stopped, .inference/data/ and .node_initialized are removed, and it initialises again from the new seed (state sync)'
          : `the new seeds will not take effect: ${seedsNotAppliedReason(v.gonka_deploy_dir)}`,
  ];
  return {
    changed: false,
    msg: report.join('; '),
    operator_report: report,
    ansible_facts: { seeds_plan: { endpoints, chain_id: chainId, seed_entry: entry, initialized, applied } },
  };
};
