import { afterEach, describe, expect, it } from 'vitest';
import { writeScenario } from '../../sim/gonka/scenario.mjs';
import { createSimProject, eventually, getJson, MODEL, type SimProject } from './sim-project.js';

const post = (url: string, body?: unknown) =>
  getJson(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

const nodeState = async (sim: SimProject, id = 'node1') =>
  (await getJson(sim.url('admin', '/admin/v1/nodes'))).body.find((n: { node: { id: string } }) => n.node.id === id)?.state;

describe('gonka simulator: admin API and ML node', () => {
  let sim: SimProject;
  afterEach(() => sim.cleanup());

  it('loads the model: state INFERENCE, inference /health 503 then 200', async () => {
    sim = await createSimProject({ scenario: { modelLoadSeconds: 1 } });
    expect((await sim.hook(['up', '-d'])).code).toBe(0);
    const first = await fetch(sim.url('inference', '/health'));
    expect(first.status).toBe(503);
    await eventually(
      () => getJson(sim.url('ml', '/api/v1/state')),
      (r) => r.body.state === 'INFERENCE',
      'api to bring the ML node up',
    );
    await eventually(
      () => fetch(sim.url('inference', '/health')).then((r) => r.status),
      (s) => s === 200,
      'model to load',
    );
    const state = await nodeState(sim);
    expect(state).toMatchObject({
      intended_status: 'INFERENCE',
      current_status: 'INFERENCE',
      poc_current_status: 'IDLE',
      failure_reason: '',
      admin_state: { enabled: true },
    });
    expect(await getJson(sim.url('ml', '/api/v1/pow/status'))).toMatchObject({ body: { status: expect.any(String), is_model_initialized: false } });
  });

  it('GET/POST/PUT/batch/DELETE/enable/disable answer as documented: POST and PUT upsert, governance models only', async () => {
    sim = await createSimProject();
    await sim.hook(['up', '-d']);
    const listed = (await getJson(sim.url('admin', '/admin/v1/nodes'))).body;
    expect(listed).toHaveLength(1);
    expect(listed[0].node).toMatchObject({ id: 'node1', host: 'inference', inference_port: 5000, poc_port: 8080, max_concurrent: 500, node_num: 1 });
    expect(Object.keys(listed[0].state)).toEqual(
      expect.arrayContaining([
        'intended_status',
        'current_status',
        'poc_intended_status',
        'poc_current_status',
        'lock_count',
        'failure_reason',
        'status_timestamp',
        'admin_state',
        'ml_node_version',
        'poc_validation_inference',
        'epoch_models',
        'epoch_ml_nodes',
        'preserved_models',
      ]),
    );

    const entry = {
      id: 'node2',
      host: 'inference',
      inference_port: 5000,
      poc_port: 8080,
      max_concurrent: 100,
      models: { [MODEL]: { args: [] } },
      hardware: [],
    };
    const added = await post(sim.url('admin', '/admin/v1/nodes'), entry);
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject(entry);
    const again = await post(sim.url('admin', '/admin/v1/nodes'), { ...entry, max_concurrent: 200 });
    expect(again).toMatchObject({ status: 200, body: { id: 'node2', max_concurrent: 200, node_num: 2 } });
    const put = await getJson(sim.url('admin', '/admin/v1/nodes/node4'), {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...entry, id: 'ignored' }),
    });
    expect(put).toMatchObject({ status: 200, body: { id: 'node4' } });
    const retired = await post(sim.url('admin', '/admin/v1/nodes'), {
      ...entry,
      id: 'old',
      models: { 'Qwen/Qwen3-235B-A22B-Instruct-2507-FP8': { args: [] } },
    });
    expect(retired).toEqual({ status: 400, body: { error: 'node old: model Qwen/Qwen3-235B-A22B-Instruct-2507-FP8 is not a valid governance model' } });
    expect((await post(sim.url('admin', '/admin/v1/nodes'), { ...entry, id: 'bad', poc_port: 0 })).status).toBe(400);

    expect(await post(sim.url('admin', '/admin/v1/nodes/batch'), [{ ...entry, id: 'node3' }, entry])).toMatchObject({
      status: 201,
      body: [{ id: 'node3' }, { id: 'node2' }],
    });
    const partial = await post(sim.url('admin', '/admin/v1/nodes/batch'), [
      { ...entry, id: 'node5' },
      { ...entry, id: 'x', models: {} },
    ]);
    expect(partial).toEqual({ status: 206, body: { nodes: [expect.objectContaining({ id: 'node5' })], errors: ['node x: at least one model is required'] } });
    expect((await post(sim.url('admin', '/admin/v1/nodes/batch'), [{ ...entry, id: 'y', max_concurrent: 0 }])).status).toBe(400);

    expect(await getJson(sim.url('admin', '/admin/v1/nodes/node3'), { method: 'DELETE' })).toEqual({ status: 200, body: true });
    expect(await getJson(sim.url('admin', '/admin/v1/nodes/node3'), { method: 'DELETE' })).toEqual({ status: 200, body: false });

    expect(await post(sim.url('admin', '/admin/v1/nodes/node2/disable'))).toEqual({
      status: 200,
      body: { message: 'node disabled successfully', node_id: 'node2' },
    });
    expect(await post(sim.url('admin', '/admin/v1/nodes/node2/enable'))).toEqual({
      status: 200,
      body: { message: 'node enabled successfully', node_id: 'node2' },
    });
    expect(await post(sim.url('admin', '/admin/v1/nodes/nope/enable'))).toEqual({ status: 404, body: { error: 'node not found: nope' } });
  });

  it('answers the admin additions: upgrade status, version status, config, export, claim recovery, setup report', async () => {
    sim = await createSimProject({ scenario: { modelLoadSeconds: 0 } });
    await sim.hook(['up', '-d']);
    expect(await getJson(sim.url('admin', '/admin/v1/nodes/upgrade-status'))).toEqual({ status: 200, body: { message: 'No upgrade plan active' } });
    expect((await post(sim.url('admin', '/admin/v1/nodes/version-status'), {})).status).toBe(400);
    const version = await eventually(
      () => post(sim.url('admin', '/admin/v1/nodes/version-status'), { version: '3.0.14-post2' }),
      (r) => r.body.nodes[0].ready === true,
      'the api to read the ML node version',
    );
    expect(version.body).toEqual({ version: '3.0.14-post2', nodes: [{ node_id: 'node1', version: '3.0.14-post2', ready: true }] });
    const config = (await getJson(sim.url('admin', '/admin/v1/config'))).body;
    expect(config.nodes.map((n: { id: string }) => n.id)).toEqual(['node1']);
    expect(JSON.stringify(config)).not.toContain('correct horse battery');
    expect((await getJson(sim.url('admin', '/admin/v1/export/db'))).body.nodes[0].node.id).toBe('node1');
    expect((await post(sim.url('admin', '/admin/v1/claim-reward/recover'), { force_claim: true, epoch_index: 7 })).body).toMatchObject({
      epoch_index: 7,
      force_claim: true,
    });
    const report = (await getJson(sim.url('admin', '/admin/v1/setup/report'))).body;
    expect(report.checks.find((c: { name: string }) => c.name === 'poc_models')).toMatchObject({ ok: true });
  });

  it('the ML node answers /api/v1/state, versions, async start, model downloads and GPUs as edition 2 says', async () => {
    sim = await createSimProject({ scenario: { modelLoadSeconds: 1, modelDownloadSeconds: 1 } });
    await sim.hook(['up', '-d', '--no-deps', 'mlnode-1', 'inference']);
    expect(await getJson(sim.url('ml', '/api/v1/state'))).toEqual({
      status: 200,
      body: { version: '3.0.14-post2', state: 'STOPPED', poc_validation_inference: true },
    });
    expect((await getJson(sim.url('ml', '/api/v1/versions'))).body).toEqual({ version: '3.0.14-post2', vllm_version: '', poc_validation_inference: true });
    expect(await post(sim.url('ml', '/api/v1/inference/up/async'), { model: MODEL, dtype: 'bfloat16', additional_args: [] })).toEqual({
      status: 200,
      body: { status: 'starting' },
    });
    expect((await post(sim.url('ml', '/api/v1/inference/up'), { model: MODEL })).status).toBe(409);
    const running = await eventually(
      () => getJson(sim.url('ml', '/api/v1/inference/up/status')),
      (r) => r.body.is_running === true,
      'the model to load',
    );
    expect(running.body).toMatchObject({ status: 'running', is_starting: false });
    expect((await getJson(sim.url('ml', '/api/v1/state'))).body).toEqual({
      version: '3.0.14-post2',
      state: 'INFERENCE',
      poc_status: 'IDLE',
      inference_healthy: true,
      loaded_model: MODEL,
      poc_validation_inference: true,
    });
    expect((await post(sim.url('ml', '/api/v1/pow/init/generate'), { node_id: 1 })).status).toBe(409);

    const repo = 'zai-org/GLM-5.3-Flash';
    expect((await post(sim.url('ml', '/api/v1/models/status'), { hf_repo: repo })).body.status).toBe('NOT_FOUND');
    expect((await post(sim.url('ml', '/api/v1/models/download'), { hf_repo: repo, hf_commit: '04c4e9e95c5da8862dced7e5056455116f83a7e0' })).status).toBe(202);
    await eventually(
      () => post(sim.url('ml', '/api/v1/models/status'), { hf_repo: repo }),
      (r) => r.body.status === 'DOWNLOADED',
      'the download',
    );
    const fs = await import('node:fs');
    expect(fs.existsSync(`${sim.root}/hf/hub/models--zai-org--GLM-5.3-Flash/refs/main`)).toBe(true);
    expect((await getJson(sim.url('ml', '/api/v1/gpu/devices'))).body).toEqual({ devices: [] });
    expect((await getJson(sim.url('ml', '/readyz'))).status).toBe(200);
  });

  it('refuses a model the image cannot run: GLM-5.3-Flash needs 3.1.0-vllm-0.28.0', async () => {
    sim = await createSimProject();
    await sim.hook(['up', '-d', '--no-deps', 'mlnode-1', 'inference']);
    const glm = await post(sim.url('ml', '/api/v1/inference/up'), { model: 'zai-org/GLM-5.3-Flash', additional_args: [] });
    expect(glm.status).toBe(500);
    expect(glm.body.detail).toContain('it needs 3.1.0-vllm-0.28.0');
  });

  it('a node disabled in epoch E serves until E ends; an enabled one joins the next epoch', async () => {
    sim = await createSimProject({
      // two blocks per observation (clock.mjs): an epoch lasts 20 requests; the node starts synced, so epochs follow its height
      scenario: {
        blocksPerSecond: 2,
        snapshotLagBlocks: 0,
        epoch: { length: 40, pocGenerationBlocks: 4, windDownBlocks: 1, pocValidationDelayBlocks: 1, pocValidationEndBlocks: 8 },
        modelLoadSeconds: 0,
      },
    });
    await sim.hook(['up', '-d']);
    const epochOf = async () => (await getJson(sim.url('proxy', '/v1/epochs/latest'))).body.latest_epoch.index as number;
    const start = await epochOf();
    const member = await eventually(
      () => nodeState(sim),
      (s) => Object.keys(s.epoch_models).length > 0,
      'node to join an epoch',
    );
    expect(member.epoch_ml_nodes[MODEL]).toMatchObject({ node_id: 'node1', timeslot_allocation: [true, false] });
    expect(await epochOf()).toBeGreaterThan(start);

    const disabledAt = await epochOf();
    await post(sim.url('admin', '/admin/v1/nodes/node1/disable'));
    const stillServing = await nodeState(sim);
    if ((await epochOf()) === disabledAt) expect(stillServing.intended_status).not.toBe('STOPPED');
    expect(stillServing.admin_state).toEqual({ enabled: false, epoch: disabledAt });
    const stopped = await eventually(
      () => nodeState(sim),
      (s) => s.current_status === 'STOPPED',
      'disabled node to stop after its epoch',
    );
    expect(stopped.intended_status).toBe('STOPPED');
    expect(stopped.epoch_models).toEqual({});
    expect((await getJson(sim.url('ml', '/api/v1/state'))).body.state).toBe('STOPPED');

    await post(sim.url('admin', '/admin/v1/nodes/node1/enable'));
    const enabledAt = await epochOf();
    await eventually(
      () => nodeState(sim),
      (s) => Object.keys(s.epoch_models).length > 0,
      'enabled node to rejoin',
    );
    expect(await epochOf()).toBeGreaterThan(enabledAt);
  });

  it('drives the ML node through PoC v2: vLLM stays up, poc_status GENERATING then VALIDATING, the api reports POC', async () => {
    sim = await createSimProject({
      // ten blocks per observation: the Inference phase (35 blocks) spans a few of the api's once-a-second ticks
      scenario: {
        blocksPerSecond: 10,
        epoch: { length: 60, pocGenerationBlocks: 20, windDownBlocks: 2, pocValidationDelayBlocks: 1, pocValidationEndBlocks: 25 },
        modelLoadSeconds: 0,
      },
    });
    await sim.hook(['up', '-d']);
    const poc = await eventually(
      () => nodeState(sim),
      (s) => s.intended_status === 'POC' && s.current_status === 'POC',
      'PoC phase',
    );
    expect(['GENERATING', 'VALIDATING']).toContain(poc.poc_current_status);
    const ml = await eventually(
      () => getJson(sim.url('ml', '/api/v1/state')),
      (r) => ['GENERATING', 'VALIDATING'].includes(r.body.poc_status),
      'PoC v2 inside vLLM',
    );
    expect(ml.body.state).toBe('INFERENCE');
    expect((await getJson(sim.url('ml', '/api/v1/inference/pow/status'))).body.backends).toHaveLength(1);
    expect((await getJson(sim.url('ml', '/api/v1/pow/status'))).body.is_model_initialized).toBe(false);
    await eventually(
      () => getJson(sim.url('ml', '/api/v1/state')),
      (r) => r.body.poc_status === 'IDLE',
      'PoC to stop after its phase',
    );
  });

  it('reports FAILED with the reason when the weights are missing or the scenario fails a node', async () => {
    sim = await createSimProject({ withWeights: false });
    await sim.hook(['up', '-d']);
    const failed = await eventually(
      () => nodeState(sim),
      (s) => s.current_status === 'FAILED',
      'missing weights to fail the node',
    );
    expect(failed.failure_reason).toContain('HF_HUB_OFFLINE');
    expect((await fetch(sim.url('inference', '/health'))).status).toBe(503);

    writeScenario(sim.stateDir, { failedNodes: { node1: 'CUDA out of memory' } });
    await eventually(
      () => nodeState(sim),
      (s) => s.failure_reason === 'CUDA out of memory',
      'scenario failure',
    );
  });

  it('reads node-config.json at the api FIRST start only', async () => {
    sim = await createSimProject();
    await sim.hook(['up', '-d']);
    const fs = await import('node:fs/promises');
    await fs.writeFile(
      `${sim.deploy}/node-config.json`,
      JSON.stringify([{ id: 'other', host: 'inference', inference_port: 5000, poc_port: 8080, max_concurrent: 1, models: {}, hardware: [] }]),
    );
    await sim.hook(['up', '-d', '--force-recreate', 'api']);
    const ids = (await getJson(sim.url('admin', '/admin/v1/nodes'))).body.map((n: { node: { id: string } }) => n.node.id);
    expect(ids).toEqual(['node1']);
  });
});
