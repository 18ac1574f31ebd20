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

  it('GET/POST/batch/DELETE/enable/disable answer as documented', async () => {
    sim = await createSimProject();
    await sim.hook(['up', '-d']);
    const listed = (await getJson(sim.url('admin', '/admin/v1/nodes'))).body;
    expect(listed).toHaveLength(1);
    expect(listed[0].node).toMatchObject({ id: 'node1', host: 'inference', inference_port: 5000, poc_port: 8080, max_concurrent: 500, node_num: 1 });
    expect(Object.keys(listed[0].state).sort()).toEqual(
      expect.arrayContaining(['intended_status', 'current_status', 'poc_current_status', 'failure_reason', 'admin_state', 'epoch_models', 'epoch_ml_nodes']),
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
    expect((await post(sim.url('admin', '/admin/v1/nodes'), entry)).status).toBe(400);

    const batch = await post(sim.url('admin', '/admin/v1/nodes/batch'), [{ ...entry, id: 'node3' }, entry]);
    expect(batch.status).toBe(201);
    expect(batch.body.map((n: { id: string }) => n.id)).toEqual(['node3']);

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

  it('drives the ML node into PoC during the PoC phase', async () => {
    sim = await createSimProject({
      scenario: {
        blocksPerSecond: 10,
        epoch: { length: 30, pocGenerationBlocks: 20, windDownBlocks: 2, pocValidationDelayBlocks: 1, pocValidationEndBlocks: 25 },
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
    expect((await getJson(sim.url('ml', '/api/v1/pow/status'))).body.is_model_initialized).toBe(true);
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
