import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadModelCatalog, preferredDriverBranch, type ModelCatalog } from '../../lib/gonka/model-catalog.js';
import { wantedDriver } from '../../roles/nvidia/driver-branch.js';
import { NvidiaVarsSchema } from '../../roles/nvidia/vars.js';
import { chooseModel, imageFor, liveModelsFromChain, rankModels, type LiveModel } from '../../lib/gonka/model-ranking.js';
import { DEFAULT_CHAIN, dynamicCoefficients, paramsJson } from '../../sim/gonka/chain-params.mjs';
import { DEFAULT_SCENARIO } from '../../sim/gonka/scenario.mjs';
import { upstreamDir } from '../helpers/upstream.js';

const catalog = loadModelCatalog();
const MODELS_DIR = join(upstreamDir(), 'models');

interface UpstreamEntry {
  models: Record<string, { args: string[]; model_override?: { hf_repo: string; hf_commit: string } }>;
}
const upstream = (file: string): UpstreamEntry[] => JSON.parse(readFileSync(join(MODELS_DIR, file), 'utf8')) as UpstreamEntry[];

// v0.2.16's starting coefficients (reference edition 2, §5)
const START: LiveModel[] = [
  { model_id: 'MiniMaxAI/MiniMax-M2.7', coefficient: 0.3024 },
  { model_id: 'deepseek-ai/DeepSeek-V4-Flash-0731', coefficient: 0.246 },
  { model_id: 'zai-org/GLM-5.3-Flash', coefficient: 0.62 },
];

describe('model catalog against upstream', () => {
  it("every layout's vLLM args and model override are exactly the upstream node-config file's", () => {
    for (const m of catalog.models) {
      for (const l of m.layouts) {
        const [entry] = upstream(l.upstream_file);
        expect(entry.models[m.id]?.args, `${m.id} ${l.gpu} ${l.upstream_file}`).toEqual(l.args);
        expect(entry.models[m.id]?.model_override, `${m.id} ${l.gpu} model_override`).toEqual(l.model_override);
      }
    }
  });

  it('covers every upstream file of a current PoC model; the 8×H200 GLM file is two entries of the H200 layout', () => {
    const used = new Set(catalog.models.flatMap((m) => m.layouts.map((l) => l.upstream_file)));
    const files = readdirSync(MODELS_DIR).filter((f) => f.endsWith('.json'));
    expect(files.filter((f) => !used.has(f))).toEqual(['node-config-glm53flash-8xH200.json']);
    const h200 = catalog.models.find((m) => m.id === 'zai-org/GLM-5.3-Flash')!.layouts.find((l) => l.gpu === 'H200')!;
    for (const entry of upstream('node-config-glm53flash-8xH200.json')) expect(entry.models['zai-org/GLM-5.3-Flash'].args).toEqual(h200.args);
  });

  it('pins the revision the model names, except where a repack is served under the chain id', () => {
    for (const m of catalog.models)
      for (const l of m.layouts) {
        const i = l.args.indexOf('--revision');
        if (l.model_override) expect(i, `${m.id} ${l.gpu} ${l.variant}`).toBe(-1);
        else expect(l.args[i + 1], `${m.id} ${l.gpu}`).toBe(m.hf_commit);
      }
  });

  it('refuses a layout whose TP disagrees with its args, naming the file and field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nop-catalog-'));
    try {
      const bad = structuredClone(catalog) as ModelCatalog;
      bad.models[0].layouts[0].tensor_parallel = 8;
      const file = join(dir, 'model-catalog.yml');
      writeFileSync(file, stringify(bad));
      expect(() => loadModelCatalog(file)).toThrow(/model-catalog\.yml: models\.0\.layouts\.0: args set --tensor-parallel-size 4, not 8/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ranking: rate × chain coefficient', () => {
  const best = (gpu: string, live = START, count = 8) => {
    const r = chooseModel(rankModels(catalog, gpu, count, live));
    return `${r.model_id}${r.variant === 'fp8' ? '' : ` ${r.variant}`}`;
  };

  it("reproduces the reference's choice per GPU class at v0.2.16's starting coefficients", () => {
    expect(best('NVIDIA H100 80GB HBM3')).toBe('MiniMaxAI/MiniMax-M2.7');
    expect(best('NVIDIA H200')).toBe('MiniMaxAI/MiniMax-M2.7');
    expect(best('NVIDIA B200')).toBe('zai-org/GLM-5.3-Flash');
    expect(best('NVIDIA B300 SXM6 AC')).toBe('deepseek-ai/DeepSeek-V4-Flash-0731 nvfp4');
  });

  it('follows the coefficients: GLM at its minimum loses B200 to MiniMax', () => {
    const glmLow = START.map((m) => (m.model_id === 'zai-org/GLM-5.3-Flash' ? { ...m, coefficient: 0.558 } : m));
    expect(best('NVIDIA B200', glmLow)).toBe('MiniMaxAI/MiniMax-M2.7');
  });

  it('shows the numbers behind the ranking and why a layout cannot rank', () => {
    const ranking = rankModels(catalog, 'NVIDIA H100 80GB HBM3', 4, START);
    const minimax = ranking.find((r) => r.model_id === 'MiniMaxAI/MiniMax-M2.7')!;
    // one TP4 instance on 4 GPUs: half of the 8-GPU rate
    expect([minimax.instances, minimax.score]).toEqual([1, (4736 / 2) * 0.3024]);
    expect(ranking.find((r) => r.model_id === 'zai-org/GLM-5.3-Flash')).toMatchObject({ score: null, why: 'needs 8 GPUs, the server has 4' });
    expect(ranking.at(-1)?.score).toBeNull();
    const a100 = rankModels(catalog, 'NVIDIA A100-SXM4-80GB', 8, START);
    expect(a100.find((r) => r.model_id === 'MiniMaxAI/MiniMax-M2.7')).toMatchObject({ score: null, why: 'not benchmarked on A100' });
    expect(a100.find((r) => r.model_id === 'zai-org/GLM-5.3-Flash')?.why).toBe('no upstream layout for A100');
    const rtx = rankModels(catalog, 'NVIDIA RTX PRO 6000 Blackwell Server Edition', 8, START);
    expect(rtx.every((r) => r.why === 'RTX PRO 6000 is not benchmarked')).toBe(true);
  });

  it('a live model missing from the catalog is an error naming it', () => {
    expect(() => rankModels(catalog, 'NVIDIA H100', 8, [...START, { model_id: 'newco/Next-1', coefficient: 0.5 }])).toThrow(
      /PoC model newco\/Next-1 is not in nop's model catalog/,
    );
  });

  it("the operator's override wins when it fits, and is refused with the reason when it does not", () => {
    const ranking = rankModels(catalog, 'NVIDIA H100 80GB HBM3', 8, START);
    expect(chooseModel(ranking, { model_id: 'zai-org/GLM-5.3-Flash' })).toMatchObject({ model_id: 'zai-org/GLM-5.3-Flash', tensor_parallel: 8 });
    const four = rankModels(catalog, 'NVIDIA H100 80GB HBM3', 4, START);
    expect(() => chooseModel(four, { model_id: 'zai-org/GLM-5.3-Flash' })).toThrow(/cannot run here: needs 8 GPUs, the server has 4/);
  });

  it("reads the live models and effective coefficients from the chain's answers", () => {
    const chain = { ...DEFAULT_CHAIN, oversupplied: ['zai-org/GLM-5.3-Flash'] };
    const live = liveModelsFromChain(JSON.stringify(paramsJson(chain, DEFAULT_SCENARIO.epoch)), JSON.stringify(dynamicCoefficients(chain, 422)));
    expect(live).toEqual([
      { model_id: 'MiniMaxAI/MiniMax-M2.7', coefficient: 0.3024 },
      { model_id: 'deepseek-ai/DeepSeek-V4-Flash-0731', coefficient: 0.246 },
      { model_id: 'zai-org/GLM-5.3-Flash', coefficient: 0.558 },
    ]);
  });
});

describe('image and driver per model', () => {
  it('CUDA 13 images need driver 580; a CUDA 12.9 driver gets the -cu129 tag where one exists', () => {
    expect(imageFor(catalog, 'deepseek-ai/DeepSeek-V4-Flash-0731', '13.0')).toEqual({ image: 'ghcr.io/gonka-ai/mlnode:3.0.16', cuda: '13.0', min_driver: 580 });
    expect(imageFor(catalog, 'deepseek-ai/DeepSeek-V4-Flash-0731', '12.9')).toEqual({
      image: 'ghcr.io/gonka-ai/mlnode:3.0.16-cu129',
      cuda: '12.9',
      min_driver: 575,
    });
    // GLM has no CUDA 12 build: the driver must move to 580
    expect(imageFor(catalog, 'zai-org/GLM-5.3-Flash', '12.9')).toEqual({ image: 'ghcr.io/gonka-ai/mlnode:3.1.0-vllm-0.28.0', cuda: '13.0', min_driver: 580 });
  });

  it("the nvidia role installs the branch the ML node image needs: the operator's model's, else the highest of the catalog's", () => {
    const base = { gonka_deploy_dir: '/d', hf_home: '/h', nvidia_allow_secure_boot: false, nvidia_hold_driver: true, allow_reboot: false, reboot_timeout_s: 9 };
    const vars = (v: Record<string, unknown>) =>
      NvidiaVarsSchema.parse({ ...base, nvidia_cuda_check_image: 'i', nvidia_container_toolkit_key_url: 'u', gpu_sizing: 'chain', gonka_model: '', ...v });
    // every current PoC model's preferred image is a CUDA 13 build (3.0.16, 3.1.0-vllm-0.28.0): driver 580
    expect(preferredDriverBranch(catalog)).toBe(580);
    expect(wantedDriver(vars({ nvidia_driver_version: 'auto' }))).toMatchObject({ branch: 580, explicit: false });
    expect(wantedDriver(vars({ nvidia_driver_version: 'auto', gonka_model: 'zai-org/GLM-5.3-Flash' }))).toMatchObject({
      branch: 580,
      why: 'the ML node image of zai-org/GLM-5.3-Flash',
    });
    // a catalog whose model prefers a CUDA 12.9 build: that model needs 575, the catalog's highest stays 580
    const cu129: ModelCatalog = {
      ...catalog,
      models: catalog.models.map((m) => (m.id === 'MiniMaxAI/MiniMax-M2.7' ? { ...m, images: [...m.images].reverse() } : m)),
    };
    expect(preferredDriverBranch(cu129, 'MiniMaxAI/MiniMax-M2.7')).toBe(575);
    expect(preferredDriverBranch(cu129)).toBe(580);
    expect(() => preferredDriverBranch(catalog, 'newco/Next-1')).toThrow(/newco\/Next-1 is not in nop's model catalog/);
    // the legacy Qwen sizing keeps its 570; an explicit branch is the operator's
    expect(wantedDriver(vars({ nvidia_driver_version: 'auto', gpu_sizing: 'legacy' }))).toMatchObject({ branch: 570, explicit: false });
    expect(wantedDriver(vars({ nvidia_driver_version: 575 }))).toEqual({ branch: 575, explicit: true, why: 'nvidia_driver_version' });
    expect(() => vars({ nvidia_driver_version: 'latest' })).toThrow();
  });
});
