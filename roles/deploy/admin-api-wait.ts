import { httpGet } from '../../lib/facts/builtin/http.js';
import { adminNodesRequest, localAdminUrl, parseAdminNodes } from '../../lib/gonka/admin-api.js';
import { pollUntil } from '../../lib/gonka/poll.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import type { DeployVars } from './vars.js';

/**
 * The network node's admin API answers (the task runs there): its api starts in the same run, on its own schedule,
 * so an ML-only server waits for it as it would for the model to load.
 */
export const waitForAdminApi = async (ctx: ModuleContext, v: DeployVars): Promise<ModuleResult> => {
  const url = localAdminUrl(v.gonka.ports.admin);
  const req = adminNodesRequest(url);
  const answering = async () => {
    const answer = await ctx.facts.read(httpGet, req);
    return parseAdminNodes(answer.status, answer.json) ? { done: true } : { waiting: `waiting for the admin API on ${ctx.hostname} (${url})` };
  };
  const up = ctx.check
    ? 'done' in (await answering())
    : await pollUntil(ctx, { timeout: v.model_load_timeout, interval: v.model_poll_seconds, refresh: [{ fact: httpGet, arg: req }] }, answering);
  if (up) return { changed: false, msg: `the admin API on ${ctx.hostname} answers` };
  if (ctx.check) return { changed: false, skipped: true, msg: `the admin API on ${ctx.hostname} is not running yet (check mode)` };
  return {
    changed: false,
    failed: true,
    msg: `the admin API on ${ctx.hostname} (${url}) does not answer within model_load_timeout (${v.model_load_timeout} s): is its api running (setup.yml on ${ctx.hostname})?`,
  };
};
