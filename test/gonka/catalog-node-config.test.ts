import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mlServerEntries } from '../../lib/gonka/build-deployment.js';
import { DeploymentVariableError } from '../../lib/gonka/deployment-variable-error.js';
import { parse } from 'yaml';
import { MLNODE_COMPOSE } from '../../lib/gonka/deploy-files.js';
import { renderDeployFiles } from '../../lib/gonka/render-deploy-files.js';
import { catalogRecommendationFor, recommendationFor } from '../config/fixtures.js';
import { upstreamDir } from '../helpers/upstream.js';

const upstreamArgs = (file: string, model: string): string[] =>
  (JSON.parse(readFileSync(join(upstreamDir(), 'models', file), 'utf8')) as { models: Record<string, { args: string[] }> }[])[0].models[model].args;

// gpu-detect's catalog choice for 8×H200 serving GLM-5.3-Flash (roles/gpu-detect, lib/gonka/catalog-recommendation.ts)
const glmRec = {
  gpus: Array.from({ length: 8 }, (_, index) => ({ index, name: 'NVIDIA H200' })),
  model: 'zai-org/GLM-5.3-Flash',
  instances: [
    { id: 'node1', gpu_ids: [0, 1, 2, 3], tensor_parallel: 4 },
    { id: 'node2', gpu_ids: [4, 5, 6, 7], tensor_parallel: 4 },
  ],
  gpu_memory_utilization: 0.9,
  kv_cache_dtype: 'fp8',
  attention_backend: 'FLASHINFER',
  image: 'ghcr.io/gonka-ai/mlnode:3.1.0-vllm-0.28.0',
  max_concurrent: 500,
  vllm_args: upstreamArgs('node-config-glm53flash-H200.json', 'zai-org/GLM-5.3-Flash'),
};

const vars = (rec: unknown) => (name: string) => ({ gpu_recommendation: rec, private_ip: '10.0.0.2' })[name];

describe('node-config from the catalog choice', () => {
  it("lists the layout's vLLM args exactly as upstream's node-config file, for the chosen model", () => {
    const entries = mlServerEntries('gpu1', vars(glmRec));
    expect(entries.map((e) => [e.model, e.args, e.max_concurrent])).toEqual([
      ['zai-org/GLM-5.3-Flash', glmRec.vllm_args, 500],
      ['zai-org/GLM-5.3-Flash', glmRec.vllm_args, 500],
    ]);
  });

  it('refuses an argument with a control character and a legacy recommendation without max_model_len', () => {
    expect(() => mlServerEntries('gpu1', vars({ ...glmRec, vllm_args: ['--revision', 'a\nb'] }))).toThrow(DeploymentVariableError);
    const { vllm_args: _a, ...legacy } = glmRec;
    expect(() => mlServerEntries('gpu1', vars(legacy))).toThrow(/max_model_len/);
  });
});

/** The rendered ML node compose of a full server serving `rec`: each ML node's environment, in order. */
const mlnodeEnv = async (rec: unknown, extra: Record<string, unknown> = {}): Promise<string[][]> => {
  const { files } = await renderDeployFiles({
    vars: {
      inventory_hostname: 'gpu1',
      group_names: ['network_nodes', 'ml_nodes'],
      gonka_deploy_dir: '/opt/gonka/deploy/join',
      public_ip: '127.0.0.1',
      allow_private_public_ip: true,
      keyring_password: 'correct-horse-battery-staple',
      gpu_recommendation: rec,
      ...extra,
    },
    hostVar: () => undefined,
    mlHosts: ['gpu1'],
  });
  const compose = parse(files[MLNODE_COMPOSE]!) as { services: Record<string, { environment?: string[] }> };
  return Object.entries(compose.services)
    .filter(([name]) => name.startsWith('mlnode-'))
    .map(([, s]) => s.environment ?? []);
};

describe("the ML node's environment from the catalog layout", () => {
  it("renders the layout's PoC batch size and no forced attention backend (upstream's per-model profile)", async () => {
    // DeepSeek on 8×H100: TP4, POC_BATCH_SIZE_DEFAULT=16 (gpu-and-models.md; 0.90/32768 lost requests)
    const rec = await catalogRecommendationFor('8xH100', { model: 'deepseek-ai/DeepSeek-V4-Flash-0731' });
    expect(await mlnodeEnv(rec)).toEqual([
      ['HF_HOME=/root/.cache', 'HF_HUB_OFFLINE=true', 'POC_BATCH_SIZE_DEFAULT=16'],
      ['HF_HOME=/root/.cache', 'HF_HUB_OFFLINE=true', 'POC_BATCH_SIZE_DEFAULT=16'],
    ]);
    expect(mlServerEntries('gpu1', vars(rec))[0].args).toEqual(upstreamArgs('node-config-deepseekv4flash0731-H100.json', 'deepseek-ai/DeepSeek-V4-Flash-0731'));
    // the operator's batch size wins over the layout's
    expect((await mlnodeEnv(rec, { gonka_poc_batch_size: 12 }))[0]).toContain('POC_BATCH_SIZE_DEFAULT=12');
  });

  it("adds the model's NCCL settings only on NVSwitch GPUs inside a VM", async () => {
    const glm = 'zai-org/GLM-5.3-Flash';
    const metal = await catalogRecommendationFor('8xH100', { model: glm, vm: false });
    expect(await mlnodeEnv(metal)).toEqual([['HF_HOME=/root/.cache', 'HF_HUB_OFFLINE=true', 'POC_BATCH_SIZE_DEFAULT=8']]);
    const vm = await catalogRecommendationFor('8xH100', { model: glm, vm: true });
    expect(await mlnodeEnv(vm)).toEqual([
      ['HF_HOME=/root/.cache', 'HF_HUB_OFFLINE=true', 'POC_BATCH_SIZE_DEFAULT=8', 'NCCL_NVLS_ENABLE=0', 'NCCL_CUMEM_ENABLE=0'],
    ]);
    expect(mlServerEntries('gpu1', vars(vm))[0].args).toEqual(upstreamArgs('node-config-glm53flash-H100.json', glm));
  });

  it('keeps the legacy sizing as it was: the attention backend by env, upstream compose default batch size', async () => {
    expect(await mlnodeEnv(await recommendationFor('8xH100', 'mainnet'))).toEqual([
      ['HF_HOME=/root/.cache', 'HF_HUB_OFFLINE=true', 'VLLM_ATTENTION_BACKEND=FLASHINFER', 'POC_BATCH_SIZE_DEFAULT=32'],
      ['HF_HOME=/root/.cache', 'HF_HUB_OFFLINE=true', 'VLLM_ATTENTION_BACKEND=FLASHINFER', 'POC_BATCH_SIZE_DEFAULT=32'],
    ]);
  });

  it('refuses an environment value with a control character or a bad name', () => {
    expect(() => mlServerEntries('gpu1', vars({ ...glmRec, env: { NCCL_X: 'a\nb' } }))).toThrow(/control character/);
    expect(() => mlServerEntries('gpu1', vars({ ...glmRec, env: { 'bad-name': '1' } }))).toThrow(/gpu_recommendation\.env/);
  });
});
