import { posix } from 'node:path';
import { httpGet } from '../../lib/facts/builtin/http.js';
import { rpcStatusRequest } from '../../lib/gonka/chain-status.js';
import { CONFIG_ENV } from '../../lib/gonka/deploy-files.js';
import { sleep } from '../../lib/gonka/poll.js';
import { configuredSeeds, nodeInfoOf, SEED_VARIABLES } from '../../lib/gonka/seed-endpoints.js';
import { parseEnvFile } from '../../lib/gonka/service-fingerprints.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import type { SeedPlan, SeedsVars } from './vars.js';

/** The plan asks for a reset: the node is initialised on other seeds and the operator allowed it. */
export const resetNeeded = (v: SeedsVars): boolean => v.reset_chain_data && v.seeds_plan?.initialized === true && !v.seeds_plan.applied;

const CHAIN_DATA = ['.inference/data', '.inference/.node_initialized'];

/** Removes what makes the node skip its init: its chain data and the marker (never config/ or keyring-file/). */
export const removeChainData = async (ctx: ModuleContext, v: SeedsVars): Promise<ModuleResult> => {
  const paths = CHAIN_DATA.map((p) => posix.join(v.gonka_deploy_dir, p));
  if (ctx.check) return { changed: true, msg: `would remove ${paths.join(', ')}` };
  const res = await ctx.exec(`rm -rf -- ${shellJoin(paths)} && mkdir -p -- ${shellJoin([paths[0]])}`);
  if (res.code !== 0) return { changed: true, failed: true, msg: `removing the chain data failed: ${res.stderr.trim()}` };
  return { changed: true, msg: `removed ${paths.join(', ')}` };
};

const read = async (ctx: ModuleContext, path: string): Promise<string> => (await ctx.exec(`cat ${shellJoin([path])} 2>/dev/null`)).stdout;

/** Whether the node has initialised again from the seed: its config.toml names it and its RPC answers for the chain. */
const reinitialised = async (ctx: ModuleContext, v: SeedsVars, plan: SeedPlan): Promise<{ done: string } | { waiting: string }> => {
  const seeds = configuredSeeds(await read(ctx, posix.join(v.gonka_deploy_dir, '.inference/config/config.toml')));
  if (!seeds.includes(plan.seed_entry)) return { waiting: `config.toml's p2p.seeds: ${seeds.join(', ') || '(none yet)'}` };
  const req = rpcStatusRequest(v.gonka_rpc_url);
  ctx.facts.invalidate([{ fact: httpGet, arg: req }]);
  const status = nodeInfoOf(await ctx.facts.read(httpGet, req), req.url);
  if ('error' in status) return { waiting: status.error };
  if (status.chainId !== plan.chain_id) return { waiting: `the node answers for chain ${status.chainId}` };
  return { done: `the node initialised again from the new seed: p2p.seeds = ${plan.seed_entry}, its RPC answers for ${plan.chain_id}` };
};

/** config.env names the new seed (read back); after a reset, the node initialised again from it. */
export const verifySeeds = async (ctx: ModuleContext, v: SeedsVars): Promise<ModuleResult> => {
  const plan = v.seeds_plan;
  if (!plan) return { changed: false, failed: true, msg: 'no seed plan: the plan task did not run' };
  const env = parseEnvFile(await read(ctx, posix.join(v.gonka_deploy_dir, CONFIG_ENV)));
  const wrong = SEED_VARIABLES.filter((k) => env[k] !== plan.endpoints[k]);
  if (wrong.length)
    return { changed: false, failed: true, msg: `config.env does not hold the new seed: ${wrong.map((k) => `${k}=${env[k] ?? '(unset)'}`).join(', ')}` };
  const report = [`config.env: ${SEED_VARIABLES.map((k) => `${k}=${plan.endpoints[k]}`).join(' ')}`];
  if (!resetNeeded(v)) return { changed: false, msg: report.join('; '), operator_report: report };
  let last = '';
  for (let look = 1; look <= v.seeds_restart_polls; look++) {
    const r = await reinitialised(ctx, v, plan);
    if ('done' in r) return { changed: false, msg: [...report, r.done].join('; '), operator_report: [...report, r.done] };
    last = r.waiting;
    ctx.progress(`waiting for the node to initialise from the new seed (look ${look} of ${v.seeds_restart_polls}): ${last}`);
    await sleep(v.seeds_poll_seconds);
  }
  return {
    changed: false,
    failed: true,
    msg: `the node did not initialise again from the new seed after ${v.seeds_restart_polls} looks: ${last}; see docker compose logs node`,
  };
};
