// The planning logic of the local PoC test (roles/poc-test/plan.ts) and the simulated ML node's generation log
// (sim/gonka/poc-generation.mjs): no host, no simulator.
import { describe, expect, it } from 'vitest';
import { mlnodeServices, planPocTest, readPocLog, verdictOf, type PlanInput } from '../../../roles/poc-test/plan.js';
import { refusalOf, scheduleLines, scheduleOf, verifyCommitted, type BootstrapState } from '../../../roles/bootstrap-model/schedule.js';
import { startGeneration } from '../../../sim/gonka/poc-generation.mjs';

const ready: PlanInput = {
  api_status: 'running',
  epochs: { block_height: 1000, phase: 'Inference', epoch_stages: { next_poc_start: 2000 }, is_confirmation_poc_active: false },
  ml: { state: 'INFERENCE', poc_status: 'IDLE', inference_healthy: true, loaded_model: 'zai-org/GLM-5.3-Flash' },
  chain_seq_len: 1024,
  margin_blocks: 200,
  batch_size: 32,
  callback_url: 'http://api:9100',
};
const refusal = (patch: Partial<PlanInput>) => {
  const v = planPocTest({ ...ready, ...patch });
  return 'refuse' in v ? v.refuse : undefined;
};

describe('planPocTest', () => {
  it('builds the documented PoC v2 request (reference §12) with the chain seq_len and the loaded model', () => {
    expect(planPocTest(ready)).toEqual({
      model: 'zai-org/GLM-5.3-Flash',
      request: {
        block_hash: 'TEST',
        block_height: 1,
        public_key: 'TEST',
        node_id: 0,
        node_count: 1,
        batch_size: 32,
        params: { model: 'zai-org/GLM-5.3-Flash', seq_len: 1024, k_dim: 12 },
        url: 'http://api:9100',
      },
    });
    const given = planPocTest({ ...ready, seq_len: 256, chain_seq_len: undefined });
    expect('request' in given && given.request.params.seq_len).toBe(256);
  });

  it('refuses outside the safe window, saying why', () => {
    expect(refusal({ epochs: { ...ready.epochs!, phase: 'PoCGenerate' } })).toMatch(/phase PoCGenerate; a PoC test pauses the api/);
    expect(refusal({ epochs: { ...ready.epochs!, is_confirmation_poc_active: true } })).toMatch(/a Confirmation PoC is active/);
    expect(refusal({ epochs: { ...ready.epochs!, block_height: 1850 } })).toBe(
      'block 1850: the next PoC starts in 150 blocks (< poc_test_margin_blocks 200); test after it',
    );
    expect(refusal({ epochs: undefined })).toMatch(/did not answer \/v1\/epochs\/latest/);
    expect(refusal({ epochs: { ...ready.epochs!, block_height: 1800 } })).toBeUndefined();
  });

  it('refuses unless the api runs unpaused and vLLM serves with PoC idle', () => {
    expect(refusal({ api_status: 'paused' })).toMatch(/already paused/);
    expect(refusal({ api_status: 'exited' })).toBe('the api container is exited, not running');
    expect(refusal({ api_status: '' })).toMatch(/no api container/);
    expect(refusal({ ml: undefined })).toMatch(/did not answer \/api\/v1\/state/);
    expect(refusal({ ml: { state: 'STOPPED' } })).toMatch(/the ML node is STOPPED: PoC v2 runs inside vLLM/);
    expect(refusal({ ml: { state: 'INFERENCE', inference_healthy: false } })).toMatch(/INFERENCE and still loading/);
    expect(refusal({ ml: { ...ready.ml, poc_status: 'GENERATING' } })).toMatch(/PoC is GENERATING: a PoC is in progress/);
    expect(refusal({ chain_seq_len: undefined })).toMatch(/set poc_test_seq_len/);
  });
});

describe('the ML node log of a test', () => {
  const FAQ = [
    '2025-08-25 20:53:33,568 - pow.compute.controller - INFO - Created 2 GPU groups:',
    '2025-08-25 20:53:33,568 - pow.compute.controller - INFO -   Group 0: GpuGroup(devices=[0], primary=0) (VRAM: 79.2GB)',
    '2025-08-25 20:53:33,568 - pow.compute.controller - INFO -   Group 1: GpuGroup(devices=[1], primary=1) (VRAM: 79.2GB)',
    '2025-08-25 20:53:33,758 - pow.compute.controller - INFO - Using batch size: 247 for GPU group [0]',
  ];

  it('passes once every GPU group logged its batch size (the FAQ lines), not before', () => {
    expect(verdictOf(readPocLog(FAQ))).toBeUndefined();
    const all = readPocLog([...FAQ, 'mlnode-1  | 2025-08-25 20:53:33,944 - pow.compute.controller - INFO - Using batch size: 247 for GPU group [1]']);
    expect(all.groups).toBe(2);
    expect(all.batches).toEqual([0, 1]);
    expect(all.evidence).toHaveLength(5);
    expect(verdictOf(all)).toEqual({ passed: true, why: '2 GPU group(s), each generating with its batch size' });
    expect(verdictOf(readPocLog([]))).toBeUndefined();
  });

  it('fails on an OOM or on no GPU group, whatever came before', () => {
    const oom = readPocLog([...FAQ, '… - ERROR - torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 12.50 GiB']);
    expect(verdictOf(oom)).toEqual({ passed: false, why: '… - ERROR - torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 12.50 GiB' });
    expect(verdictOf(readPocLog(['ERROR: Created 0 GPU groups: no GPU has the free memory']))).toMatchObject({ passed: false });
  });

  it('lists the ML node services of docker-compose.mlnode.yml in order, not nginx', () => {
    expect(mlnodeServices('services:\n  mlnode-1:\n    image: a\n  mlnode-2:\n    image: a\n  inference:\n    image: nginx\n')).toEqual([
      'mlnode-1',
      'mlnode-2',
    ]);
    expect(mlnodeServices('')).toEqual([]);
  });
});

describe('simulated PoC generation (sim/gonka/poc-generation.mjs)', () => {
  const groups = [
    { devices: [0, 1], vramGb: 158.4 },
    { devices: [2, 3], vramGb: 158.4 },
  ];
  const start = (settings: Record<string, unknown>, paused = true) =>
    startGeneration({ groups, batchSize: 32, url: 'http://api:9100', startedAt: 0, settings, apiPaused: () => paused });

  it('logs the GPU groups at once, each batch size after simulated time, then batches the paused api cannot take', () => {
    const run = start({});
    const first = run.advance(0);
    expect(first[0]).toMatch(/ - pow\.compute\.controller - INFO - Created 2 GPU groups:$/);
    expect(first[2]).toMatch(/Group 1: GpuGroup\(devices=\[2, 3\], primary=2\) \(VRAM: 158\.4GB\)$/);
    expect(first).toHaveLength(3);
    expect(run.advance(500)).toEqual([]);
    const later = run.advance(4000);
    expect(later.filter((l) => l.includes('Using batch size: 32 for GPU group ['))).toHaveLength(2);
    expect(later.some((l) => l.endsWith('Sending generated batch to http://api:9100/'))).toBe(true);
    expect(later.some((l) => l.includes('Failed to send generated batch to http://api:9100'))).toBe(true);
    expect(verdictOf(readPocLog([...first, ...later]))).toMatchObject({ passed: true });
    expect(
      start({}, false)
        .advance(4000)
        .some((l) => l.includes('Failed to send')),
    ).toBe(false);
  });

  it('an OOM wedges the engine: no batch line, nothing more', () => {
    const run = start({ failure: 'oom' });
    const lines = [...run.advance(0), ...run.advance(2000)];
    expect(run.wedged).toBe(true);
    expect(lines.some((l) => l.includes('Using batch size'))).toBe(false);
    expect(verdictOf(readPocLog(lines))).toMatchObject({ passed: false });
    expect(run.advance(60_000)).toEqual([]);
  });
});

describe('bootstrap of a new governance model (roles/bootstrap-model/schedule.ts)', () => {
  const MODEL = 'zai-org/GLM-5.3-Flash';
  const state = (height: number, patch: Partial<BootstrapState> = {}, phase = 'Inference'): BootstrapState => ({
    schedule: scheduleOf(height, phase, 10_000, 500),
    model: MODEL,
    poc_model: true,
    intent: true,
    weights: 'DOWNLOADED',
    node_models: ['MiniMaxAI/MiniMax-M2.7'],
    committed_models: [],
    pre_eligibility: {
      model_id: MODEL,
      pre_eligible: 'true',
      meets_v_min: 'true',
      meets_weight_threshold: 'true',
      meets_reachability: 'true',
      intent_host_count: '4',
    },
    ...patch,
  });

  it('computes the snapshot height as the next PoC start − deploy_window (reference §5)', () => {
    expect(scheduleOf(9000, 'Inference', 10_000, 500)).toEqual({
      height: 9000,
      phase: 'Inference',
      poc_start: 10_000,
      deploy_window: 500,
      snapshot: 9500,
      stage: 'before-snapshot',
    });
    expect(scheduleOf(9500, 'Inference', 10_000, 500).stage).toBe('deploy-window');
    expect(scheduleOf(9999, 'PoCGenerate', 10_000, 500).stage).toBe('poc');
    expect(scheduleLines(scheduleOf(9000, 'Inference', 10_000, 500))[1]).toBe(
      'declare the intent and download the weights now (500 blocks to the snapshot); switch in the deploy window 9500–9999',
    );
  });

  it('declares the intent only before the snapshot height, saying why not after it', () => {
    expect(refusalOf('intent', state(9499, { intent: false }))).toBeUndefined();
    expect(refusalOf('intent', state(9500))).toMatch(
      /^block 9500 is past the snapshot height 9500 \(next PoC 10000 − deploy_window 500\): an intent now misses this bootstrap/,
    );
    expect(refusalOf('intent', state(9600, {}, 'PoCGenerate'))).toMatch(/PoC is running/);
    expect(refusalOf('intent', state(9000, { poc_model: false }))).toMatch(/is not a PoC model on chain/);
  });

  it('switches only inside the deploy window, with the intent declared and the weights downloaded', () => {
    expect(refusalOf('switch', state(9600))).toBeUndefined();
    expect(refusalOf('switch', state(9499))).toBe(
      "block 9499 is outside the deploy window: it opens at the snapshot height 9500, in 1 blocks (a switch before it changes the node's PoC model for the epoch's own PoC too early)",
    );
    expect(refusalOf('switch', state(9600, {}, 'PoCGenerate'))).toMatch(/never switch a model during PoC/);
    expect(refusalOf('switch', state(9600, { intent: false }))).toMatch(/no intent for zai-org\/GLM-5.3-Flash on chain/);
    expect(refusalOf('switch', state(9600, { weights: 'PARTIAL' }))).toMatch(/weights of .* are PARTIAL/);
    // reference §5 step 3: pre_eligible=false keeps the old model; no event yet is no verdict either
    const notYet = {
      model_id: MODEL,
      pre_eligible: 'false',
      meets_v_min: 'false',
      meets_weight_threshold: 'true',
      meets_reachability: 'true',
      intent_host_count: '1',
      v_min: '3',
    };
    expect(refusalOf('switch', state(9600, { pre_eligibility: notYet }))).toBe(
      `${MODEL} is not pre-eligible (pre_eligible false: meets_v_min false (intent_host_count 1, v_min 3), meets_weight_threshold true, meets_reachability true): keep the old model`,
    );
    expect(refusalOf('switch', state(9600, { pre_eligibility: undefined }))).toMatch(/no bootstrap_model_preeligibility event at the snapshot height yet/);
    // already switched: nothing to refuse (the module then changes nothing)
    expect(refusalOf('switch', state(9000, { node_models: [MODEL] }))).toBeUndefined();
  });

  it("verifies the model among the account's committed models after the PoC", () => {
    expect(verifyCommitted(state(100, { committed_models: [MODEL, 'MiniMaxAI/MiniMax-M2.7'] })).ok).toBe(true);
    const missed = verifyCommitted(state(100, { node_models: [MODEL], committed_models: ['MiniMaxAI/MiniMax-M2.7'] }));
    expect(missed).toEqual({
      ok: false,
      msg: `${MODEL} is not committed: this epoch's participants list MiniMaxAI/MiniMax-M2.7 for the account (the node serves it: check its PoC in the ML node and api logs)`,
    });
  });
});
