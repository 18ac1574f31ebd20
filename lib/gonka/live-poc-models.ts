import { z } from 'zod';
import { liveModelsFromChain, type LiveModel } from './model-ranking.js';

/** The live PoC models with this epoch's effective coefficients, as the chain answers through a public API. */
export interface LivePocModels {
  epoch: number;
  live: LiveModel[];
}

const LatestEpochSchema = z.looseObject({ latest_epoch: z.looseObject({ index: z.coerce.number().int().nonnegative() }) });

const CHAIN_REST = '/chain-api/productscience/inference/inference';

/** The URLs read, in order: the epoch decides which coefficients apply. */
export const livePocModelUrls = (base: string) => {
  const root = base.replace(/\/+$/, '');
  return {
    latestEpoch: `${root}/v1/epochs/latest`,
    params: `${root}${CHAIN_REST}/params`,
    coefficients: (epoch: number) => `${root}${CHAIN_REST}/dynamic_coefficients/${epoch}`,
  };
};

/**
 * Read the live PoC models from a Gonka public API whose `/chain-api/` is open, with `get` (a fetch on the
 * controller, or a GET made on the host): a body that is not the chain's answer is an error naming the URL.
 */
export const readLivePocModels = async (base: string, get: (url: string) => Promise<string>): Promise<LivePocModels> => {
  const urls = livePocModelUrls(base);
  const parsed = (url: string, body: string): unknown => {
    try {
      return JSON.parse(body);
    } catch {
      throw new Error(`${url} did not answer JSON: ${body.slice(0, 120)}`);
    }
  };
  const latest = LatestEpochSchema.safeParse(parsed(urls.latestEpoch, await get(urls.latestEpoch)));
  if (!latest.success) throw new Error(`${urls.latestEpoch} has no latest_epoch.index`);
  const epoch = latest.data.latest_epoch.index;
  const params = await get(urls.params);
  const coefficients = await get(urls.coefficients(epoch));
  try {
    return { epoch, live: liveModelsFromChain(params, coefficients) };
  } catch (e) {
    throw new Error(`${base}: the chain's PoC models at epoch ${epoch} could not be read: ${e instanceof Error ? e.message : String(e)}`);
  }
};
