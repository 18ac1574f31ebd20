import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mlServerEntries } from '../../lib/gonka/build-deployment.js';
import { DeploymentVariableError } from '../../lib/gonka/deployment-variable-error.js';
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
