import { httpGet } from '../../lib/facts/builtin/http.js';
import { request } from '../../lib/facts/fact.js';
import { livePocModelUrls, readLivePocModels, type LivePocModels } from '../../lib/gonka/live-poc-models.js';
import type { ModuleContext } from '../../lib/modules/module.js';

const TIMEOUT_S = 15;

/** The first GET (the latest epoch), declared so it is read with the play's other facts. */
export const latestEpochRequest = (api: string) => request(httpGet, { url: livePocModelUrls(api).latestEpoch, timeout: TIMEOUT_S });

/** The chain's live PoC models and coefficients, read on the host through the API it reaches (GETs change nothing). */
export const chainPocModels = (ctx: ModuleContext, api: string): Promise<LivePocModels> =>
  readLivePocModels(api, async (url) => {
    const answer = await ctx.facts.read(httpGet, { url, timeout: TIMEOUT_S });
    if (answer.status !== 200) throw new Error(`${url}: ${answer.status === 0 ? 'no answer' : `HTTP ${answer.status}`}`);
    return answer.body;
  });
