import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelCatalog } from '../../../lib/gonka/model-catalog.js';
import type { RunEvent } from '../../../lib/runner/types.js';
import { DEFAULT_CHAIN, dynamicCoefficients, paramsJson } from '../../../sim/gonka/chain-params.mjs';
import type { ChainScenario } from '../../../sim/gonka/scenario.mjs';
import { DEFAULT_SCENARIO } from '../../../sim/gonka/scenario.mjs';
import { failures, keyServer, simFleet, snapshot, type SimFleet } from './harness.js';

const EPOCH = 422;
const catalog = loadModelCatalog();

/** A public API's chain routes (what a seed's proxy answers), from the simulator's edition-2 chain. */
const chainApi = async (chain: ChainScenario): Promise<{ url: string; close: () => Promise<void> }> => {
  const answers: Record<string, unknown> = {
    '/v1/epochs/latest': { latest_epoch: { index: EPOCH } },
    '/chain-api/productscience/inference/inference/params': paramsJson(chain, DEFAULT_SCENARIO.epoch),
    [`/chain-api/productscience/inference/inference/dynamic_coefficients/${EPOCH}`]: dynamicCoefficients(chain, EPOCH),
  };
  const server: Server = createServer((req, res) => {
    const body = answers[req.url ?? ''];
    res.statusCode = body === undefined ? 404 : 200;
    res.end(JSON.stringify(body ?? { code: 5, message: 'not found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
};

const NEW_MODEL = { ...DEFAULT_CHAIN.pocModels[0], model_id: 'newco/Next-1' };

/** Detect's result on the host; a run that never reached it fails with what the run said (its failed tasks, its warnings). */
const detected = (events: RunEvent[], host: string) => {
  const e = events.find((x) => x.type === 'task_result' && x.host === host && x.task.endsWith('size the ML node'));
  if (e?.type === 'task_result') return e.result;
  const said = events.flatMap((x) =>
    x.type === 'task_result' && (x.status === 'failed' || x.status === 'unreachable')
      ? [`${x.host}: ${x.task}: ${String(x.result.msg ?? x.status)}`]
      : x.type === 'warning'
        ? [x.message]
        : [],
  );
  throw new Error(`Detect did not run on ${host}:\n${said.join('\n') || '(the run reported no failure)'}`);
};

interface Rec {
  model: string;
  image: string;
  min_driver: number;
  vllm_args: string[];
  env: Record<string, string>;
  instances: { gpu_ids: number[]; tensor_parallel: number }[];
}
const recOf = (events: RunEvent[], host: string): Rec => (detected(events, host).ansible_facts as { gpu_recommendation: Rec }).gpu_recommendation;

const layoutArgs = (model: string, gpu: string) => catalog.models.find((m) => m.id === model)!.layouts.find((l) => l.gpu === gpu && l.variant === 'fp8')!.args;

describe('gpu-detect chooses the PoC model from the catalog and the chain', () => {
  let keys: Awaited<ReturnType<typeof keyServer>>;
  let chain: Awaited<ReturnType<typeof chainApi>>;
  let unknown: Awaited<ReturnType<typeof chainApi>>;
  let fleet: SimFleet;
  let first: Awaited<ReturnType<SimFleet['run']>>;
  // gpu-detect's precondition refuses h100 and h200 before any change, which stops every host of their run: the
  // hosts that take the playbook run apart from them
  let refused: Awaited<ReturnType<SimFleet['run']>>;
  let refusedBefore: Record<string, string>[];
  let refusedAfter: Record<string, string>[];
  beforeAll(async () => {
    keys = await keyServer();
    chain = await chainApi({ ...DEFAULT_CHAIN });
    unknown = await chainApi({ ...DEFAULT_CHAIN, pocModels: [...DEFAULT_CHAIN.pocModels, NEW_MODEL] });
    fleet = await simFleet(
      {
        // bare 8×H100: the nvidia role installs 580; the operator picks GLM
        fresh: { profile: 'fresh-2204', vars: { nvidia_driver_version: 580, gonka_model: 'zai-org/GLM-5.3-Flash' } },
        // 8×B300 on driver 580: the best-earning model at the chain's coefficients
        b300: { profile: 'b300-8x' },
        // 8×H100 on driver 570: no image of the best model runs on it
        h100: { profile: 'h100-8x' },
        // the chain serves a model the catalog does not know
        h200: { profile: 'h200-8x', vars: { gonka_chain_api: unknown.url } },
      },
      keys.url,
      { allow_reboot: true, preflight_ports: [], gonka_chain_api: chain.url },
    );
    const refusedDirs = [fleet.hosts.h100.dir, fleet.hosts.h200.dir];
    refusedBefore = await Promise.all(refusedDirs.map(snapshot));
    refused = await fleet.run({ limit: 'h100,h200' });
    refusedAfter = await Promise.all(refusedDirs.map(snapshot));
    first = await fleet.run({ limit: 'fresh,b300' });
  }, 600_000);
  afterAll(async () => {
    await fleet?.cleanup();
    await Promise.all([keys?.close(), chain?.close(), unknown?.close()]);
  });

  it("picks the layout that earns most (rate × the chain's coefficient) with its upstream args and image", () => {
    expect(failures(first.events, 'b300')).toEqual([]);
    expect(first.code).toBe(0);
    // B300 at the starting coefficients: GLM 8120 × 0.62 = 5034 beats MiniMax 14336 × 0.3024 = 4335 and
    // DeepSeek fp8 13824 × 0.246 = 3400 (its nvfp4 repack ranks higher but is not deployed)
    const rec = recOf(first.events, 'b300');
    expect(rec.model).toBe('zai-org/GLM-5.3-Flash');
    expect(rec.instances.map((i) => i.gpu_ids)).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
      [6, 7],
    ]);
    expect(rec.vllm_args).toEqual(layoutArgs('zai-org/GLM-5.3-Flash', 'B300'));
    expect(rec.env).toEqual({ POC_BATCH_SIZE_DEFAULT: '32' });
    expect(rec).toMatchObject({ image: 'ghcr.io/gonka-ai/mlnode:3.1.0-vllm-0.28.0', min_driver: 580 });
    expect(String(detected(first.events, 'b300').msg)).toMatch(/GLM-5\.3-Flash \(5034 = rate × coefficient 0\.62 at epoch 422\)/);
  });

  it("takes the operator's model (gonka_model) on a driver the nvidia role installed for it", () => {
    expect(failures(first.events, 'fresh')).toEqual([]);
    const rec = recOf(first.events, 'fresh');
    expect(rec.model).toBe('zai-org/GLM-5.3-Flash');
    expect(rec.instances).toEqual([{ id: 'node1', gpu_ids: [0, 1, 2, 3, 4, 5, 6, 7], tensor_parallel: 8 }]);
    expect(rec.vllm_args).toEqual(layoutArgs('zai-org/GLM-5.3-Flash', 'H100'));
  });

  it('a driver too old for the chosen image stops with the branch to install, before anything changed', () => {
    expect(failures(refused.events, 'h100')).toEqual([
      expect.stringMatching(
        /^gpu-detect : The ML node layout fits the GPUs: MiniMaxAI\/MiniMax-M2\.7 needs NVIDIA driver 575 or newer .*the host runs 570: set nvidia_driver_version: 580/,
      ),
    ]);
    expect(refused.code).toBe(2);
    expect(refusedAfter[0]).toEqual(refusedBefore[0]);
  });

  it('a live PoC model missing from the catalog is an error naming it, before anything changed', () => {
    expect(failures(refused.events, 'h200')).toEqual([
      expect.stringMatching(/^gpu-detect : The ML node layout fits the GPUs: the chain's PoC model newco\/Next-1 is not in nop's model catalog/),
    ]);
    expect(refusedAfter[1]).toEqual(refusedBefore[1]);
  });

  it('check mode reads the chain, reports the same choice and changes nothing', async () => {
    const before = await snapshot(fleet.hosts.b300.dir);
    const check = await fleet.run({ check: true, limit: 'b300' });
    expect(failures(check.events, 'b300')).toEqual([]);
    expect(recOf(check.events, 'b300').model).toBe('zai-org/GLM-5.3-Flash');
    expect(await snapshot(fleet.hosts.b300.dir)).toEqual(before);
  });
});
