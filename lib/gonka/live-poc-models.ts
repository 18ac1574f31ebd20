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

const TIMEOUT_MS = 15_000;

const getOnController = async (url: string): Promise<string> => {
  const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) }).catch((e: unknown) => {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    throw new Error(`${url}: no answer (${cause ?? (e instanceof Error ? e.message : String(e))})`);
  });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.text();
};

/**
 * The live PoC models read from the controller, as Ansible's url lookup reads: the chain's public answer is the same
 * from anywhere, and reading it costs the hosts no round trip (a no-change play stays one command per host).
 */
export const fetchLivePocModels = (base: string): Promise<LivePocModels> => readLivePocModels(base, getOnController);
