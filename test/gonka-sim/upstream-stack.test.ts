// The simulated `docker compose` runs upstream's standard stack as upstream ships it (../shared/upstream/deploy-join,
// read here, never copied into the repo): every service starts, and each answers where the file publishes it.
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHostSettings } from '../../sim/gonka/host-settings.mjs';
import { releasePortOffset, reservePortOffset } from '../../sim/port-offset.js';
import { upstreamDir } from '../helpers/upstream.js';
import { eventually, getJson, HOOK, run } from './sim-project.js';

const UPSTREAM = upstreamDir();

// upstream's config.env template with its placeholders filled the way its quickstart says
const configEnv = (template: string, extra: string) =>
  `${template
    .replace('KEY_NAME=<FILLIN>', 'KEY_NAME=upstream-warm')
    .replace('KEYRING_PASSWORD=<FILLIN>', 'KEYRING_PASSWORD="correct horse battery"')
    .replace('PUBLIC_URL=http://<HOST>:<PORT>', 'PUBLIC_URL=http://203.0.113.9:8000')
    .replace('P2P_EXTERNAL_ADDRESS=tcp://<HOST>:<PORT>', 'P2P_EXTERNAL_ADDRESS=tcp://203.0.113.9:5000')
    .replace('ACCOUNT_PUBKEY=<ACCOUNT_PUBKEY_FROM_STEP_ABOVE>', 'ACCOUNT_PUBKEY=')
    .replaceAll('<FILLIN>', 'unused')}\n${extra}`;

const tcpAccepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('gonka simulator: upstream deploy/join docker-compose.yml as shipped', () => {
  let root: string;
  let deploy: string;
  let stateDir: string;
  let offset: number;
  const url = (port: number, pathname: string) => `http://127.0.0.1:${port + offset}${pathname}`;
  const hook = (args: string[], env: Record<string, string> = {}) => {
    const [command, ...rest] = args;
    const common = ['--project-dir', deploy, '--file', 'docker-compose.yml', '--env-file', path.join(deploy, 'config.env'), '--state-dir', stateDir];
    return run(process.execPath, [HOOK, command, ...common, ...rest], { NOP_SIM_STATE_DIR: stateDir, ...env });
  };
  const psServices = async (): Promise<{ Service: string; State: string; Publishers: { URL: string; PublishedPort: number; Protocol: string }[] }[]> =>
    (await hook(['ps', '--format', 'json'])).stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'gonka-upstream-'));
    deploy = path.join(root, 'gonka/deploy/join');
    stateDir = path.join(root, 'state');
    await fs.mkdir(deploy, { recursive: true });
    await fs.mkdir(path.join(root, 'gonka/genesis'), { recursive: true });
    await fs.writeFile(path.join(root, 'gonka/genesis/genesis.json'), '{}');
    await fs.mkdir(stateDir);
    await fs.copyFile(path.join(UPSTREAM, 'docker-compose.yml'), path.join(deploy, 'docker-compose.yml'));
    await fs.copyFile(path.join(UPSTREAM, 'models/node-config-minimaxm27-H100.json'), path.join(deploy, 'node-config.json'));
    const template = await fs.readFile(path.join(UPSTREAM, 'config.env.template'), 'utf8');
    // the chain routes opened, as a seed node runs them, and the edge routes sent to edge-api
    await fs.writeFile(
      path.join(deploy, 'config.env'),
      configEnv(template, `export HF_HOME=${path.join(root, 'hf')}\nexport DISABLE_CHAIN_API=false\nexport EDGE_API_SERVICE_NAME=edge-api\n`),
    );
    await fs.writeFile(path.join(stateDir, 'gonka-scenario.json'), JSON.stringify({ snapshotLagBlocks: 0, modelLoadSeconds: 0 }));
    offset = await reservePortOffset();
    writeHostSettings(stateDir, { portOffset: offset });
    const up = await hook(['up', '-d']);
    expect(up.code, up.stderr).toBe(0);
  });
  afterAll(async () => {
    await hook(['down']);
    releasePortOffset(offset);
    await fs.rm(root, { recursive: true, force: true });
  });

  it('starts every service the file declares without a profile; proxy-ssl waits for --profile ssl', async () => {
    const services = await psServices();
    expect(services.map((s) => s.Service).sort()).toEqual(['api', 'bridge', 'edge-api', 'explorer', 'node', 'proxy', 'tmkms', 'versiond']);
    expect(services.every((s) => s.State === 'running')).toBe(true);
    const bridge = services.find((s) => s.Service === 'bridge')!;
    expect(bridge.Publishers.map((p) => `${p.URL}:${p.PublishedPort}/${p.Protocol}`).sort()).toEqual(['0.0.0.0:30303/tcp', '0.0.0.0:30303/udp']);
    const api = services.find((s) => s.Service === 'api')!;
    expect(api.Publishers.map((p) => `${p.URL}:${p.PublishedPort}`)).toEqual(['0.0.0.0:9100', '127.0.0.1:9200']);
  });

  it('the proxy answers on API_PORT: health, versions, chain routes, devshard through versiond, edge routes, the explorer', async () => {
    expect((await fetch(url(8000, '/health'))).status).toBe(200);
    const versions = await getJson(url(8000, '/v1/versions'));
    expect(versions.body.api_version).toMatchObject({ application_name: 'decentralized-api', version: 'v0.2.15' });
    // upstream closes /chain-rpc/ by default; this config.env opened /chain-api/
    expect((await fetch(url(8000, '/chain-rpc/status'))).status).toBe(404);
    const params = await getJson(url(8000, '/chain-api/productscience/inference/inference/params'));
    expect(params.body.params.poc_params.models).toHaveLength(3);
    const devshard = await eventually(
      () => getJson(url(8000, '/devshard/v4/healthz')),
      (r) => r.status === 200,
      'versiond to start the approved devshard runtimes',
    );
    expect(devshard.body).toEqual({ status: 'ok', version: 'v4' });
    expect((await getJson(url(8000, '/devshard/v1/healthz'))).status).toBe(404);
    expect((await fs.readdir(path.join(deploy, 'devshards/bin'))).sort()).toEqual(['v4', 'v5']);
    const models = await getJson(url(8000, '/v1/governance/models'));
    expect(models.body.models.map((m: { id: string }) => m.id)).toContain('zai-org/GLM-5.3-Flash');
    // the edge routes reach edge-api: they answer while the api is stopped, the api's own routes do not
    expect((await hook(['stop', 'api'])).code).toBe(0);
    expect((await getJson(url(8000, '/v1/epochs/latest'))).status).toBe(200);
    expect((await fetch(url(8000, '/v1/versions'))).status).toBe(502);
    expect((await hook(['start', 'api'])).code).toBe(0);
    const dashboard = await fetch(url(8000, '/'));
    expect(await dashboard.text()).toContain('Gonka Explorer');
    expect((await fetch(url(8000, '/v1/poc-batches/1'))).status).toBe(404);
    expect(await tcpAccepts(8443 + offset)).toBe(true);
  });

  it('the api publishes the ML server on 9100 (the devshard catalog versiond reads) and the admin API on 9200', async () => {
    expect((await getJson(url(9100, '/versions'))).body.versions.map((v: { name: string }) => v.name)).toEqual(['v4', 'v5']);
    const nodes = (await getJson(url(9200, '/admin/v1/nodes'))).body;
    expect(nodes.map((n: { node: { id: string; models: object } }) => [n.node.id, Object.keys(n.node.models)])).toEqual([
      ['node1', ['MiniMaxAI/MiniMax-M2.7']],
    ]);
  });

  it("the bridge listens on geth's p2p port", async () => {
    const runtime = JSON.parse(await fs.readFile(path.join(stateDir, 'gonka-sim/join/runtime.json'), 'utf8'));
    expect(runtime.services.bridge.error).toBeUndefined();
    expect(await tcpAccepts(30303 + offset)).toBe(true);
    const logs = await hook(['logs', 'bridge']);
    expect(logs.stdout).toContain('Skeleton sync bounds');
  });

  it('--profile ssl adds proxy-ssl; a service named on the command line starts whatever its profile', async () => {
    const up = await hook(['up', '--profile', 'ssl', '-d', '--no-deps', 'proxy-ssl']);
    expect(up.code, up.stderr).toBe(0);
    expect((await psServices()).map((s) => s.Service)).toContain('proxy-ssl');
    await hook(['down', 'proxy-ssl']);
    const again = await hook(['up', '-d'], { COMPOSE_PROFILES: 'ssl' });
    expect(again.code, again.stderr).toBe(0);
    expect((await psServices()).map((s) => s.Service)).toContain('proxy-ssl');
  });
});
