import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_PORTS, createSimProject, eventually, getJson, type SimProject } from './sim-project.js';

describe('gonka simulator: compose up, routes, ps, logs, down', () => {
  let sim: SimProject;

  beforeAll(async () => {
    // the node syncs about 200 blocks per observation (clock.mjs): still catching up after the requests before its test
    sim = await createSimProject({ scenario: { networkHeight: 500_000, snapshotLagBlocks: 3000, syncBlocksPerSecond: 200, blocksPerSecond: 2 } });
    const up = await sim.hook(['up', '-d']);
    expect(up.code, up.stderr).toBe(0);
  });
  afterAll(() => sim.cleanup());

  it('proxy answers /health, /v1/status and /v1/versions', async () => {
    const health = await fetch(sim.url('proxy', '/health'));
    expect(health.status).toBe(200);
    expect((await health.text()).trim()).toBe('healthy');
    expect(await getJson(sim.url('proxy', '/v1/status'))).toEqual({ status: 200, body: { status: 'ok' } });
    const versions = await getJson(sim.url('proxy', '/v1/versions'));
    expect(versions.body).toMatchObject({
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      api_version: { application_name: 'decentralized-api', version: 'v0.2.9', commit: expect.stringMatching(/^[0-9a-f]{40}$/) },
      node_version: { application_name: 'inference-chain', version: 'v0.2.9', commit: expect.stringMatching(/^[0-9a-f]{40}$/) },
      mlnodes: [{ node_id: 'node1', version: expect.any(String), poc_validation_inference: expect.any(Boolean) }],
    });
  });

  it('proxy answers 404 for the routes GONKA_API_BLOCKED_ROUTES names, under /v1/, /v2/ and /api/', async () => {
    for (const route of ['/v1/poc-batches/generated', '/v2/poc-batches/x/generated', '/api/v1/training']) {
      const res = await fetch(sim.url('proxy', route), { method: 'POST', body: '{}' });
      expect(res.status, route).toBe(404);
      expect(await res.text()).toBe('Not Found\n');
    }
    expect(await getJson(sim.url('proxy', '/api/v1/status'))).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('/v1/epochs/latest has the reference shape', async () => {
    const { body } = await getJson(sim.url('proxy', '/v1/epochs/latest'));
    expect(body).toMatchObject({
      block_height: expect.any(Number),
      latest_epoch: { index: expect.any(Number), poc_start_block_height: expect.any(Number) },
      phase: expect.stringMatching(/^(PoCGenerate|PoCGenerateWindDown|PoCValidate|PoCValidateWindDown|Inference)$/),
      epoch_stages: {
        poc_start: expect.any(Number),
        poc_generation_end: expect.any(Number),
        poc_validation_end: expect.any(Number),
        set_new_validators: expect.any(Number),
        next_poc_start: expect.any(Number),
      },
    });
    expect(body.epoch_stages.poc_generation_end - body.epoch_stages.poc_start).toBe(60);
    expect(body.epoch_stages.poc_validation_end - body.epoch_stages.poc_start).toBe(85);
    expect(body.epoch_stages.next_poc_start - body.epoch_stages.poc_start).toBe(15391);
    expect(body).toMatchObject({ is_confirmation_poc_active: false, epoch_params: { epoch_length: 15391, confirmation_poc_safety_window: 500 } });
    expect(body).not.toHaveProperty('active_confirmation_poc_event');
  });

  it('chain RPC /status: CometBFT envelope, string height, catching up until synced', async () => {
    const first = await getJson(sim.url('proxy', '/chain-rpc/status'));
    expect(first.body).toMatchObject({ jsonrpc: '2.0', id: -1 });
    const { node_info, sync_info, validator_info } = first.body.result;
    expect(node_info).toMatchObject({ network: 'gonka-mainnet', listen_addr: 'tcp://203.0.113.7:5000', moniker: 'my-node-warm' });
    expect(node_info.id).toMatch(/^[0-9a-f]{40}$/);
    expect(typeof sync_info.latest_block_height).toBe('string');
    expect(sync_info.latest_block_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    expect(validator_info.address).toMatch(/^[0-9A-F]{40}$/);
    expect(sync_info.catching_up).toBe(true);
    const synced = await eventually(
      () => getJson(sim.url('rpc', '/status')),
      (r) => r.body.result.sync_info.catching_up === false,
      'node to sync',
    );
    expect(Number(synced.body.result.sync_info.latest_block_height)).toBeGreaterThan(Number(sync_info.latest_block_height));
  });

  it('the node reports the consensus key tmkms generated', async () => {
    const seedFile = path.join(sim.deploy, '.tmkms/secrets/priv_validator_key.softsign');
    expect((await fs.stat(seedFile)).mode & 0o777).toBe(0o600);
    const { body } = await getJson(sim.url('rpc', '/status'));
    const { ed25519PublicKey } = await import('../../sim/gonka/keys.mjs');
    const seed = Buffer.from((await fs.readFile(seedFile, 'utf8')).trim(), 'base64');
    expect(body.result.validator_info.pub_key).toEqual({ type: 'tendermint/PubKeyEd25519', value: ed25519PublicKey(seed).toString('base64') });
  });

  it('records which ports were published publicly', async () => {
    const project = JSON.parse(await fs.readFile(path.join(sim.stateDir, 'gonka-sim/deploy/project.json'), 'utf8'));
    const published = Object.values(project.services as Record<string, { name: string; ports: { hostPort: number; public: boolean }[] }>)
      .flatMap((s) => s.ports.map((p) => `${s.name}:${p.hostPort}:${p.public}`))
      .sort();
    expect(published).toEqual([
      'api:9100:false',
      'api:9200:false',
      'inference:5050:false',
      'inference:8080:false',
      'node:26657:false',
      'node:5000:true',
      'proxy:8000:true',
    ]);
  });

  it('ps prints one docker-compose JSON line per running container', async () => {
    const ps = await sim.hook(['ps', '--format', 'json']);
    const rows = ps.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => r.Service).sort()).toEqual(['api', 'explorer', 'inference', 'mlnode-1', 'node', 'proxy', 'tmkms']);
    const node = rows.find((r) => r.Service === 'node');
    expect(node).toMatchObject({ State: 'running', Image: 'ghcr.io/product-science/inferenced:0.2.9', Name: 'deploy-node-1', Project: 'deploy' });
    expect(node.Publishers).toContainEqual({ URL: '0.0.0.0', TargetPort: 26656, PublishedPort: 5000, Protocol: 'tcp' });
  });

  it('logs shows CometBFT-style block lines for the node', async () => {
    const logs = await sim.hook(['logs', 'node', '--tail', '5']);
    expect(logs.stdout).toMatch(/^\d{1,2}:\d\d[AP]M INF (executed block|finalizing commit of block) hash=[0-9A-F]+ height=\d+ module=/m);
  });

  it('up again keeps unchanged containers and recreates changed ones', async () => {
    const before = JSON.parse(await fs.readFile(path.join(sim.stateDir, 'gonka-sim/deploy/project.json'), 'utf8'));
    const again = await sim.hook(['up', '-d']);
    expect(again.code).toBe(0);
    const same = JSON.parse(await fs.readFile(path.join(sim.stateDir, 'gonka-sim/deploy/project.json'), 'utf8'));
    expect(same.services.node.created).toBe(before.services.node.created);
    const compose = path.join(sim.deploy, 'docker-compose.yml');
    await fs.writeFile(compose, (await fs.readFile(compose, 'utf8')).replace('mlnode:3.0.14-post2', 'mlnode:3.0.16'));
    const recreate = await sim.hook(['up', '-d']);
    expect(recreate.stderr).toContain('deploy-mlnode-1-1  Recreated');
    const after = JSON.parse(await fs.readFile(path.join(sim.stateDir, 'gonka-sim/deploy/project.json'), 'utf8'));
    expect(after.services['mlnode-1'].created).not.toBe(before.services['mlnode-1'].created);
    expect(after.services['mlnode-1'].image).toBe('ghcr.io/gonka-ai/mlnode:3.0.16');
    expect(after.services.node.created).toBe(before.services.node.created);
  });

  it('stop closes the ports and lists the container as exited only under ps -a; start brings it back', async () => {
    const stop = await sim.hook(['stop', 'proxy']);
    expect(stop).toMatchObject({ code: 0, stderr: ' Container deploy-proxy-1  Stopping\n Container deploy-proxy-1  Stopped\n' });
    await expect(fetch(sim.url('proxy', '/health'))).rejects.toThrow();
    expect((await sim.hook(['ps', '--format', 'json', 'proxy'])).stdout.trim()).toBe('');
    const exited = JSON.parse((await sim.hook(['ps', '-a', '--format', 'json', 'proxy'])).stdout);
    expect(exited).toMatchObject({ Service: 'proxy', State: 'exited', ExitCode: 0, Status: expect.stringMatching(/^Exited \(0\) \d+ seconds ago$/) });
    expect((await sim.hook(['exec', 'proxy', 'true'])).stderr).toBe('service "proxy" is not running\n');
    expect((await getJson(sim.url('rpc', '/status'))).status).toBe(200);
    const again = await sim.hook(['start', 'proxy', 'node']);
    expect(again).toMatchObject({ code: 0, stderr: ' Container deploy-proxy-1  Starting\n Container deploy-proxy-1  Started\n' });
    expect((await fetch(sim.url('proxy', '/health'))).status).toBe(200);
    expect(JSON.parse((await sim.hook(['ps', '--format', 'json', 'proxy'])).stdout)).toMatchObject({ State: 'running', ExitCode: 0 });
  });

  it('restart stops and starts a container without recreating it', async () => {
    const before = JSON.parse(await fs.readFile(path.join(sim.stateDir, 'gonka-sim/deploy/project.json'), 'utf8'));
    const restart = await sim.hook(['restart', 'api']);
    expect(restart).toMatchObject({ code: 0, stderr: ' Container deploy-api-1  Restarting\n Container deploy-api-1  Started\n' });
    expect((await getJson(sim.url('admin', '/admin/v1/nodes'))).status).toBe(200);
    const after = JSON.parse(await fs.readFile(path.join(sim.stateDir, 'gonka-sim/deploy/project.json'), 'utf8'));
    expect(after.services.api.created).toBe(before.services.api.created);
    expect(JSON.parse((await sim.hook(['ps', '--format', 'json', 'api'])).stdout).State).toBe('running');
    expect((await sim.hook(['stop', 'nosuch'])).stderr).toBe('no such service: nosuch\n');
  });

  // a peer that never answers the FIN of a bare TCP port (the node's p2p) kept the connection, and the stop that
  // waited for it held every later apply of the project: a `docker compose up` hung for good in a full run under load
  it('a stop ends the connections clients keep open, and the project goes on', async () => {
    const peer = net.connect({ port: BASE_PORTS.p2p + sim.offset, host: '127.0.0.1', allowHalfOpen: true });
    const ended = new Promise<void>((resolve) => peer.once('end', () => resolve()));
    await new Promise<void>((resolve) => peer.once('connect', () => resolve()));
    await ended;
    const stop = await sim.hook(['stop', 'node']);
    expect(stop.code, stop.stderr).toBe(0);
    peer.destroy();
    const start = await sim.hook(['start', 'node']);
    expect(start.code, start.stderr).toBe(0);
    expect((await getJson(sim.url('rpc', '/status'))).status).toBe(200);
  });

  it('down stops listening and leaves no daemon', async () => {
    const down = await sim.hook(['down']);
    expect(down.code).toBe(0);
    await expect(fetch(sim.url('proxy', '/health'))).rejects.toThrow();
    await expect(fs.stat(path.join(sim.stateDir, 'gonka-sim/deploy/daemon.pid'))).rejects.toThrow();
    const ps = await sim.hook(['ps', '--format', 'json']);
    expect(ps.stdout.trim()).toBe('');
  });
});
