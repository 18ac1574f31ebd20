import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runPlaybook } from '../../lib/runner/run-playbook.js';
import type { RunEvent } from '../../lib/runner/types.js';
import { DEFAULT_CHAIN, writeScenario } from '../../sim/gonka.js';
import { simConnect } from '../../sim/host/connect.js';
import { REPO_ROOT } from '../../sim/host/paths.js';
import type { SimHost } from '../../sim/host/create.js';
import { preparedServer } from '../day2/update/sim-fleet.js';
import { releasePortOffset, reservePortOffset } from '../helpers/port-offset.js';
import { sharedUpstreamDir } from '../helpers/shared-upstream.js';
import { seedChainApi, snapshotTree } from './sim-fleet.js';

// An operator's node set up by hand from upstream's deploy/join (../shared/upstream/deploy-join, read, never copied):
// its compose files and nginx.conf verbatim, config.env from upstream's template with the blanks filled in, the
// node-config upstream gives for MiniMax-M2.7 on B300. nop adopts it with update.yml.
const DEPLOY = '/opt/gonka/deploy/join';
const PASSWORD = 'hand-set-keyring-pass-7c2e';
const PUBKEY = Buffer.from([2, ...Array.from({ length: 32 }, (_, i) => 40 + i)]).toString('base64');
const MODEL = 'MiniMaxAI/MiniMax-M2.7';
const FAST = { update_poll_interval: 0.5, update_poc_margin_blocks: 0, update_load_timeout: 600, update_window_timeout: 600 };

// every difference between the operator's files and nop's for this host (nop's hardening: internal ports on loopback,
// the chain's routes off the proxy, no OTEL exporter; one ML node per GPU group where upstream runs one for all GPUs)
const ML_NODES = Array.from({ length: 8 }, (_, i) => i + 1);
const EXPECTED_DIFFERENCES = [
  'config.env variable DAPI_OTEL_ENABLED: "true" → "false"',
  'config.env variable DEVSHARD_OTEL_ENABLED: "true" → "false"',
  'config.env variable GONKA_API_BLOCKED_ROUTES: (none) → "poc-batches training"',
  'config.env variable GRAFANA_ADMIN_PASSWORD: (secret) → (none)',
  'config.env variable GRAFANA_ADMIN_USER: "admin" → (none)',
  'config.env variable GRAFANA_ENABLED: "false" → (none)',
  'config.env variable JAEGER_BASIC_AUTH_PASSWORD: (secret) → (none)',
  'config.env variable JAEGER_BASIC_AUTH_USER: "jaeger" → (none)',
  'config.env variable JAEGER_ENABLED: "false" → (none)',
  'config.env variable OTEL_ENDPOINT: "http://jaeger:4317" → (none)',
  'docker-compose.yml node env APP_pruning: (none) → "custom"',
  'docker-compose.yml node env APP_pruning_interval: (none) → "100"',
  'docker-compose.yml node env APP_pruning_keep_recent: (none) → "1000"',
  'docker-compose.yml node env CHAIN_ID: (none) → "gonka-mainnet"',
  'docker-compose.yml node port 26657/tcp: (none) → "127.0.0.1:26657"',
  'docker-compose.yml node volume /root/genesis.json: "../../genesis/genesis.json" → (none)',
  'docker-compose.yml api env DAPI_OTEL_ENABLED: "true" → "false"',
  'docker-compose.yml api env OTEL_ENDPOINT: "http://jaeger:4317" → ""',
  'docker-compose.yml api port 9100/tcp: "0.0.0.0:9100" → "127.0.0.1:9100"',
  'docker-compose.yml edge-api env OTEL_ENDPOINT: "http://jaeger:4317" → ""',
  'docker-compose.yml versiond env DEVSHARD_OTEL_ENABLED: "true" → "false"',
  'docker-compose.yml versiond env OTEL_ENDPOINT: "http://jaeger:4317" → ""',
  ...ML_NODES.flatMap((i) => [
    `docker-compose.mlnode.yml mlnode-${i} service mlnode-308: "mlnode-308" → "mlnode-${i}"`,
    `docker-compose.mlnode.yml mlnode-${i} image tag: "3.0.14-post2" → "3.0.16"`,
    `docker-compose.mlnode.yml mlnode-${i} env HF_HUB_OFFLINE: (none) → "true"`,
  ]),
  ...[5000, 8080].flatMap((base) =>
    ML_NODES.map(
      (i) =>
        `docker-compose.mlnode.yml inference port ${base + i - 1}/tcp: ${i === 1 ? `"0.0.0.0:${base === 5000 ? 5050 : 8080}"` : '(none)'} → "127.0.0.1:${(base === 5000 ? 5050 : 8080) + i - 1}"`,
    ),
  ),
];

let dir: string;
let offset: number;
let host: SimHost;
let inventory: string;
let playbook: string;
let seed: Awaited<ReturnType<typeof seedChainApi>>;

const sh = async (script: string) => {
  const res = await host.sh(script);
  expect(res.code, `${script}: ${res.stderr}`).toBe(0);
  return res.stdout;
};

/** config.env as the operator fills upstream's template: their key, password, address, and seeds (the simulator's). */
const filledConfigEnv = (template: string): string =>
  template
    .replace('KEY_NAME=<FILLIN>', 'KEY_NAME=gpu1-warm')
    .replace('KEYRING_PASSWORD=<FILLIN>', `KEYRING_PASSWORD=${PASSWORD}`)
    .replace('PUBLIC_URL=http://<HOST>:<PORT>', 'PUBLIC_URL=http://127.0.0.1:8000')
    .replace('P2P_EXTERNAL_ADDRESS=tcp://<HOST>:<PORT>', 'P2P_EXTERNAL_ADDRESS=tcp://127.0.0.1:5000')
    .replace('ACCOUNT_PUBKEY=<ACCOUNT_PUBKEY_FROM_STEP_ABOVE>', `ACCOUNT_PUBKEY=${PUBKEY}`)
    .replace(/SEED_API_URL=.*/, `SEED_API_URL=http://127.0.0.1:${8000 + offset}`)
    .replace(/SEED_NODE_RPC_URL=.*/, `SEED_NODE_RPC_URL=http://127.0.0.1:${26657 + offset}`)
    .replaceAll('<FILLIN>', 'operator-chosen');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-adopt-'));
  offset = await reservePortOffset();
  seed = await seedChainApi(DEFAULT_CHAIN);
  host = await preparedServer('gpu1', join(dir, 'gpu1'), { portOffset: offset }, undefined, undefined, 'b300-8x');
  writeScenario(host.gonkaStateDir, { syncBlocksPerSecond: 4000, snapshotLagBlocks: 2000, modelLoadSeconds: 1 });
  const up = sharedUpstreamDir();
  const deploy = host.path(DEPLOY);
  await mkdir(deploy, { recursive: true });
  for (const f of ['docker-compose.yml', 'docker-compose.mlnode.yml', 'nginx.conf']) await writeFile(join(deploy, f), await readFile(join(up, f)));
  await writeFile(join(deploy, 'node-config.json'), await readFile(join(up, 'models/node-config-minimaxm27-B300.json')));
  await writeFile(join(deploy, 'config.env'), filledConfigEnv(await readFile(join(up, 'config.env.template'), 'utf8')), { mode: 0o600 });
  // the operator's warm key and chain data: what adopting must never touch (the node makes its node_key.json, tmkms
  // its consensus key, on first start)
  await sh(`mkdir -p ${DEPLOY}/.inference/keyring-file ${DEPLOY}/.inference/data
    head -c 300 /dev/urandom > ${DEPLOY}/.inference/keyring-file/gpu1-warm.info
    head -c 4096 /dev/urandom > ${DEPLOY}/.inference/data/blockstore.db`);
  // upstream's quickstart: weights first, then the stack
  await sh(`HF_HOME=/mnt/shared hf download ${MODEL} >/dev/null 2>&1`);
  await sh(`cd ${DEPLOY} && set -a && . ./config.env && set +a && docker compose -f docker-compose.yml -f docker-compose.mlnode.yml up -d`);
  inventory = join(dir, 'inventory.yml');
  await writeFile(
    inventory,
    stringify({
      all: {
        hosts: {
          gpu1: {
            public_ip: '127.0.0.1',
            allow_private_public_ip: true,
            gonka_network: 'mainnet',
            gonka_network_overrides: { seed_api_url: `http://127.0.0.1:${8000 + offset}`, seed_node_rpc_url: `http://127.0.0.1:${26657 + offset}` },
            gonka_chain_api: seed.url,
            gonka_model: MODEL,
            nop_lock_file: join(dir, 'nop.lock'),
            gonka_admin_url: `http://127.0.0.1:${9200 + offset}`,
            gonka_api_url: `http://127.0.0.1:${8000 + offset}`,
            mlnode_management_url: `http://127.0.0.1:${8080 + offset}`,
            mlnode_inference_url: `http://127.0.0.1:${5050 + offset}`,
            ...FAST,
          },
        },
        children: { network_nodes: { hosts: { gpu1: null } }, ml_nodes: { hosts: { gpu1: null } } },
      },
    }),
  );
  playbook = join(dir, 'update.yml');
  await writeFile(playbook, await readFile(join(REPO_ROOT, 'playbooks/update.yml'), 'utf8'));
});
afterAll(async () => {
  await host?.close();
  await seed?.close();
  if (offset !== undefined) releasePortOffset(offset);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const run = async (opts: { check?: boolean; diff?: boolean } = {}) => {
  const events: RunEvent[] = [];
  const summary = await runPlaybook({ playbook, inventories: [inventory], emit: (e) => events.push(e), connect: simConnect({ gpu1: host }), ...opts });
  const results = events.filter((e): e is Extract<RunEvent, { type: 'task_result' }> => e.type === 'task_result');
  return { ...summary, events, results, output: JSON.stringify(events) };
};

// keys and chain data: the operator's keyring and node identity, tmkms' consensus key, the chain's block store (the
// running node rewrites its own state files, e.g. priv_validator_state.json, as blocks come)
const keysAndChain = async () => {
  const tree = new Map<string, string>();
  for (const sub of ['.tmkms', '.inference']) for (const [k, v] of await snapshotTree(host.path(`${DEPLOY}/${sub}`))) tree.set(`${sub}${k}`, v);
  return new Map([...tree].filter(([k]) => /^\.tmkms\/secrets\/|keyring-file|node_key\.json|blockstore\.db/.test(k)));
};

// the files the operator wrote (the running stack writes beside them: versiond's devshards, the api's .dapi)
const deployedFiles = async () =>
  new Map([...(await snapshotTree(host.path(DEPLOY)))].filter(([k]) => /^\/(config\.env|node-config\.json|nginx\.conf|docker-compose[.a-z]*\.yml)$/.test(k)));

const running = async (): Promise<string[]> => (await sh(`docker ps --format '{{.Names}}'`)).split('\n').filter(Boolean).sort();

describe('a node set up by hand from upstream deploy/join, adopted by update.yml', () => {
  it('--check --diff shows what nop would change, from its config.env, compose files and node-config, and changes nothing', async () => {
    const deployFiles = await deployedFiles();
    const keys = await keysAndChain();
    const plan = await run({ check: true, diff: true });
    expect(plan.code, plan.output).toBe(0);
    const planned = plan.results.find((r) => r.task.endsWith("Plan the move to today's stack"))!;
    // no model switch (the same model, by the operator's choice); the files nop renders differently, and how
    expect(planned.result.msg).toBe("today's stack: config.env, node-config.json, docker-compose.yml, nginx.conf, docker-compose.mlnode.yml change");
    expect(planned.result.differences).toEqual(EXPECTED_DIFFERENCES);
    const move = plan.results.find((r) => r.task.endsWith("Move to today's stack in the safe window"))!;
    expect([move.status, move.result.msg]).toEqual(['changed', expect.stringMatching(/^would move to today's stack in the safe window: config\.env, /)]);
    expect(plan.output).not.toContain(PASSWORD);
    expect(await deployedFiles()).toEqual(deployFiles);
    expect(await keysAndChain()).toEqual(keys);
  });

  it("converges: today's stack runs, the keys and chain data are byte-identical, and a second plan finds nothing", async () => {
    const keys = await keysAndChain();
    expect([...keys.keys()].filter((k) => /keyring-file\/|node_key|priv_validator_key|blockstore/.test(k))).toHaveLength(4);
    const res = await run();
    expect(res.code, JSON.stringify(res.results.filter((r) => r.status === 'failed'))).toBe(0);
    expect(await running()).toEqual(expect.arrayContaining(['versiond', 'edge-api', 'node', 'api', 'proxy', 'tmkms']));
    expect(await keysAndChain()).toEqual(keys);
    expect(res.output).not.toContain(PASSWORD);
    const again = await run({ check: true });
    expect(again.results.find((r) => r.task.endsWith("Plan the move to today's stack"))!.result.msg).toBe("the deployed stack is today's");
  });
});
