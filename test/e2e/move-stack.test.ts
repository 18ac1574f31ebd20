import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { accountAddress } from '../../lib/gonka/account-address.js';
import { runPlaybook } from '../../lib/runner/run-playbook.js';
import type { RunEvent } from '../../lib/runner/types.js';
import type { Transport } from '../../lib/transport/transport.js';
import { DEFAULT_CHAIN, EDITION_1_CHAIN, recordPocChoice, startSeedApi, writeScenario } from '../../sim/gonka.js';
import { simConnect } from '../../sim/host/connect.js';
import type { SimHost } from '../../sim/host/create.js';
import { REPO_ROOT } from '../../sim/host/paths.js';
import { preparedServer } from '../day2/update/sim-fleet.js';
import { releasePortOffset, reservePortOffset } from '../../sim/port-offset.js';
import { sharedUpstreamDir } from '../helpers/shared-upstream.js';
import { sshInto, type SimSshAccess } from '../helpers/sim-ssh.js';
import { createFleet, DEPLOY, DEPLOY_KNOBS, PASSWORD, seedOverrides, snapshotTree, type Fleet, writeOlderStackCompose } from './sim-fleet.js';

// Issue 12 item 8: update.yml moves nodes to today's stack, one host at a time, with rollback. Two full servers, each
// on its own simulated network, reached over real sshd, built once in parallel and moved by the same update.yml runs:
// - `nop` (first in the rollout): set up by nop's setup.yml in spring 2026 (the first-edition chain, Qwen3-235B), then
//   turned into nop's older stack (no versiond, edge-api, bridge, no p2p CONFIG_* settings);
// - `hand` (second): set up by an operator from upstream's deploy/join (../shared/upstream/deploy-join, read, never
//   copied): its compose files and nginx.conf verbatim, config.env from upstream's template, the node-config upstream
//   gives for MiniMax-M2.7 on B300, the operator's PoC choices already on chain. nop adopts it.
// The cases run in order and build on each other.

const OLD_MODEL = 'Qwen/Qwen3-235B-A22B-Instruct-2507-FP8';
// the spring-2026 chain with the one PoC model the node served: setup.yml's participation play then has no choice to
// send (a refusal and its verification per other model cost a third of the node's setup), and none of them is live today
const SPRING_CHAIN = { ...EDITION_1_CHAIN, pocModels: EDITION_1_CHAIN.pocModels?.filter((m) => m.model_id === OLD_MODEL) };
// epoch 308 on: Qwen3-235B out of PoC (still a governance model for a while, so its node entry is accepted back)
const TODAYS_CHAIN = { ...DEFAULT_CHAIN, governanceModels: [...DEFAULT_CHAIN.governanceModels, OLD_MODEL] };
const LIVE = DEFAULT_CHAIN.pocModels.map((m) => m.model_id);
const HF_HOME = '/mnt/shared';
// the update's polls move the simulated chain on; timeouts a slow machine never reaches. The preferred window (the 500
// blocks before PoC) is not waited for here (its arithmetic: test/gonka/safe-window.test.ts)
const FAST = { update_poll_interval: 0.5, update_poc_margin_blocks: 0, update_preferred_wait_blocks: 0, update_load_timeout: 600, update_window_timeout: 600 };

const HAND_PASSWORD = 'hand-set-keyring-pass-7c2e';
const HAND_PUBKEY = Buffer.from([2, ...Array.from({ length: 32 }, (_, i) => 40 + i)]).toString('base64');
const HAND_MODEL = 'MiniMaxAI/MiniMax-M2.7';

// every difference between the operator's files and nop's for the hand-set host (nop's hardening: internal ports on
// loopback, the chain's routes off the proxy, no OTEL exporter; one ML node per GPU group where upstream runs one)
const ML_NODES = Array.from({ length: 8 }, (_, i) => i + 1);
const HAND_DIFFERENCES = [
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
    // upstream's compose sets it for every model; nop's ML node env comes from the catalog's layout, which has none
    `docker-compose.mlnode.yml mlnode-${i} env VLLM_ATTENTION_BACKEND: "FLASHINFER" → (none)`,
  ]),
  ...[5000, 8080].flatMap((base) =>
    ML_NODES.map(
      (i) =>
        `docker-compose.mlnode.yml inference port ${base + i - 1}/tcp: ${i === 1 ? `"0.0.0.0:${base === 5000 ? 5050 : 8080}"` : '(none)'} → "127.0.0.1:${(base === 5000 ? 5050 : 8080) + i - 1}"`,
    ),
  ),
];

interface Node {
  host: SimHost;
  stateDir: string;
  offset: number;
  ssh: SimSshAccess;
}

let fleet: Fleet;
let nop: Node;
let hand: Node;
let handDir: string;
let handSeed: { url: string; close: () => Promise<void> };
let inventory: string;
let playbook: string;
const closers: (() => Promise<unknown>)[] = [];

const sh = async (host: SimHost, script: string) => {
  const res = await host.sh(script);
  expect(res.code, `${script}: ${res.stderr}`).toBe(0);
  return res.stdout;
};

/** The node nop set up: serving Qwen3-235B on the first-edition chain, then its compose file and containers as nop's older stack had them. */
const nopOnOlderStack = async (): Promise<Node> => {
  fleet = await createFleet([{ name: 'nop', profile: 'b300-8x', address: '127.0.0.1' }]);
  const s = fleet.servers.nop;
  fleet.scenario('nop', { chain: SPRING_CHAIN });
  await fleet.writeInventory({
    all: {
      hosts: {
        nop: {
          ...s.vars,
          public_ip: '127.0.0.1',
          allow_private_public_ip: true,
          gonka_network: 'mainnet',
          keyring_password: PASSWORD,
          key_workflow: 'quick',
          poc_participation: 'refuse',
          // nop's older stack sized the ML node for Qwen3-235B (the spring-2026 sizing)
          gpu_sizing: 'legacy',
          gonka_network_overrides: seedOverrides(fleet.offset),
          ...DEPLOY_KNOBS,
        },
      },
      children: { network_nodes: { hosts: { nop: null } }, ml_nodes: { hosts: { nop: null } } },
    },
  });
  const setup = await fleet.run();
  expect(setup.code, setup.output).toBe(0);
  const file = s.host.path(`${DEPLOY}/docker-compose.yml`);
  await writeOlderStackCompose(file);
  expect(await sh(s.host, `docker rm -f versiond edge-api bridge >/dev/null; rm -f ${DEPLOY}/*~ && docker ps --format '{{.Names}}'`)).not.toMatch(
    /versiond|edge-api|bridge/,
  );
  // chain data the node does not rewrite as blocks come (a stand-in for its block store)
  await sh(s.host, `head -c 4096 /dev/urandom > ${DEPLOY}/.inference/data/blockstore.db`);
  // the network moves on: today's PoC models and coefficients
  fleet.scenario('nop', { chain: TODAYS_CHAIN });
  return { host: s.host, stateDir: s.stateDir, offset: fleet.offset, ssh: await sshInto(s.host) };
};

/** config.env as the operator fills upstream's template: their key, password, address, and seeds (the simulator's). */
const filledConfigEnv = (template: string, offset: number): string =>
  template
    .replace('KEY_NAME=<FILLIN>', 'KEY_NAME=hand-warm')
    .replace('KEYRING_PASSWORD=<FILLIN>', `KEYRING_PASSWORD=${HAND_PASSWORD}`)
    .replace('PUBLIC_URL=http://<HOST>:<PORT>', 'PUBLIC_URL=http://127.0.0.1:8000')
    .replace('P2P_EXTERNAL_ADDRESS=tcp://<HOST>:<PORT>', 'P2P_EXTERNAL_ADDRESS=tcp://127.0.0.1:5000')
    .replace('ACCOUNT_PUBKEY=<ACCOUNT_PUBKEY_FROM_STEP_ABOVE>', `ACCOUNT_PUBKEY=${HAND_PUBKEY}`)
    .replace(/SEED_API_URL=.*/, `SEED_API_URL=http://127.0.0.1:${8000 + offset}`)
    .replace(/SEED_NODE_RPC_URL=.*/, `SEED_NODE_RPC_URL=http://127.0.0.1:${26657 + offset}`)
    .replaceAll('<FILLIN>', 'operator-chosen');

/** The node an operator set up by hand, on today's chain, its choices for the models it does not serve on chain. */
const handSetNode = async (): Promise<Node> => {
  handDir = await mkdtemp(join(tmpdir(), 'nop-adopt-'));
  const offset = await reservePortOffset();
  closers.push(async () => releasePortOffset(offset));
  const host = await preparedServer('hand', join(handDir, 'hand'), { portOffset: offset }, undefined, undefined, 'b300-8x');
  writeScenario(host.gonkaStateDir, { syncBlocksPerSecond: 4000, snapshotLagBlocks: 2000, modelLoadSeconds: 1 });
  handSeed = await startSeedApi(host.gonkaStateDir);
  const up = sharedUpstreamDir();
  const deploy = host.path(DEPLOY);
  await mkdir(deploy, { recursive: true });
  for (const f of ['docker-compose.yml', 'docker-compose.mlnode.yml', 'nginx.conf']) await writeFile(join(deploy, f), await readFile(join(up, f)));
  await writeFile(join(deploy, 'node-config.json'), await readFile(join(up, 'models/node-config-minimaxm27-B300.json')));
  await writeFile(join(deploy, 'config.env'), filledConfigEnv(await readFile(join(up, 'config.env.template'), 'utf8'), offset), { mode: 0o600 });
  // the operator's warm key and chain data (the node makes its node_key.json, tmkms its consensus key, on first start)
  await sh(
    host,
    `mkdir -p ${DEPLOY}/.inference/keyring-file ${DEPLOY}/.inference/data
    head -c 300 /dev/urandom > ${DEPLOY}/.inference/keyring-file/hand-warm.info
    head -c 4096 /dev/urandom > ${DEPLOY}/.inference/data/blockstore.db`,
  );
  // upstream's quickstart: weights first, then the stack
  await sh(host, `HF_HOME=${HF_HOME} hf download ${HAND_MODEL} >/dev/null 2>&1`);
  await sh(host, `cd ${DEPLOY} && set -a && . ./config.env && set +a && docker compose -f docker-compose.yml -f docker-compose.mlnode.yml up -d`);
  // the operator refused the PoC models the node does not serve, from their cold key (upstream operations §1)
  for (const model of LIVE.filter((m) => m !== HAND_MODEL)) recordPocChoice(host.gonkaStateDir, accountAddress(HAND_PUBKEY), model, 'refuse');
  return { host, stateDir: host.gonkaStateDir, offset, ssh: await sshInto(host) };
};

const hostVars = (n: Node, extra: Record<string, unknown>) => ({
  ...n.ssh.vars,
  public_ip: '127.0.0.1',
  allow_private_public_ip: true,
  gonka_network: 'mainnet',
  gonka_network_overrides: seedOverrides(n.offset),
  gonka_admin_url: `http://127.0.0.1:${9200 + n.offset}`,
  gonka_api_url: `http://127.0.0.1:${8000 + n.offset}`,
  mlnode_management_url: `http://127.0.0.1:${8080 + n.offset}`,
  mlnode_inference_url: `http://127.0.0.1:${5050 + n.offset}`,
  poc_participation: 'refuse',
  ...DEPLOY_KNOBS,
  ...FAST,
  ...extra,
});

beforeAll(async () => {
  [nop, hand] = await Promise.all([nopOnOlderStack(), handSetNode()]);
  inventory = join(fleet.dir, 'update-inventory.yml');
  await writeFile(
    inventory,
    stringify({
      all: {
        hosts: {
          nop: hostVars(nop, { keyring_password: PASSWORD, key_workflow: 'quick', gonka_chain_api: fleet.servers.nop.vars.gonka_chain_api }),
          // the hand-set node: no key or password in the inventory (nop reads them from its config.env)
          hand: hostVars(hand, { gonka_model: HAND_MODEL, gonka_chain_api: handSeed.url }),
        },
        vars: { nop_lock_file: join(fleet.dir, 'nop.lock') },
        // the rollout's order: nop's node first, then the hand-set one
        children: { network_nodes: { hosts: { nop: null, hand: null } }, ml_nodes: { hosts: { nop: null, hand: null } } },
      },
    }),
  );
  playbook = join(fleet.dir, 'update.yml');
  await writeFile(playbook, await readFile(join(REPO_ROOT, 'playbooks/update.yml'), 'utf8'));
});
afterAll(async () => {
  await Promise.all([nop?.ssh.close(), hand?.ssh.close()]);
  await fleet?.cleanup();
  await hand?.host.close();
  await handSeed?.close();
  for (const close of closers) await close();
  if (handDir) await rm(handDir, { recursive: true, force: true });
});

// a host's transport that notes every script it runs (bound: the ssh transport's methods use its private state)
const watched = (t: Transport, scripts: string[]): Transport =>
  new Proxy(t, {
    get: (target, key) => {
      if (key === 'exec')
        return (script: string, o?: Parameters<Transport['exec']>[1]) => {
          scripts.push(script);
          return target.exec(script, o);
        };
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

const update = async (opts: { check?: boolean; diff?: boolean } = {}) => {
  const events: RunEvent[] = [];
  const scripts: Record<string, string[]> = { nop: [], hand: [] };
  const sim = simConnect({ nop: nop.host, hand: hand.host });
  const connect = async (name: string, vars: Record<string, unknown>) => watched(await sim(name, vars), scripts[name]);
  const summary = await runPlaybook({ playbook, inventories: [inventory], emit: (e) => events.push(e), connect, ...opts });
  const results = events.filter((e): e is Extract<RunEvent, { type: 'task_result' }> => e.type === 'task_result');
  return { ...summary, events, results, scripts, output: JSON.stringify(events) };
};
type Run = Awaited<ReturnType<typeof update>>;
const result = (res: Run, host: string, task: string) => res.results.find((r) => r.host === host && r.task.endsWith(task));

const running = async (n: Node): Promise<string[]> => (await sh(n.host, `docker ps --format '{{.Names}}'`)).split('\n').filter(Boolean).sort();

// the host's files a run may change: the deploy dir (keys, chain data, compose files) and HF_HOME; backups (`…~`) the
// copy module keeps of replaced files, the api's state (.dapi), versiond's devshards and the signing state the running
// node rewrites as blocks come (priv_validator_state.json) are left out
const hostFiles = async (n: Node) => {
  const tree = new Map<string, string>();
  for (const dir of [DEPLOY, HF_HOME])
    for (const [k, v] of await snapshotTree(n.host.path(dir)))
      if (!k.endsWith('~') && !/\/\.dapi\/|devshard|priv_validator_state\.json/.test(k)) tree.set(`${dir}${k}`, v);
  return tree;
};

// keys and chain data, hashed: what no move and no rollback may ever touch
const keysAndChain = async (n: Node) =>
  new Map([...(await hostFiles(n))].filter(([k]) => /\/\.tmkms\/secrets\/|keyring-file|node_key\.json|priv_validator_key|blockstore\.db/.test(k)));

interface AdminNodeView {
  node: { id: string; models: Record<string, unknown> };
  state: { admin_state: { enabled: boolean } };
}
const served = async (n: Node) => {
  const res = await fetch(`http://127.0.0.1:${9200 + n.offset}/admin/v1/nodes`);
  return ((await res.json()) as AdminNodeView[]).map((a) => ({ id: a.node.id, models: Object.keys(a.node.models), enabled: a.state.admin_state.enabled }));
};
const servedModels = async (n: Node) => [...new Set((await served(n)).flatMap((x) => x.models))];

interface NetworkJson {
  refusals: { model_id: string; participant: string }[];
}
const refusals = async (n: Node) => (JSON.parse(await readFile(join(n.stateDir, 'gonka-network.json'), 'utf8')) as NetworkJson).refusals;

describe('update.yml moves nodes to today’s stack, one host at a time, with rollback', () => {
  let todaysModel: string;
  let todaysImage: string;

  it('--check --diff is the plan on both hosts (services, settings, model; what adoption changes, exactly), and changes nothing', async () => {
    const before = await Promise.all([hostFiles(nop), hostFiles(hand), running(nop), running(hand)]);
    const plan = await update({ check: true, diff: true });
    expect(plan.code, plan.output).toBe(0);
    const rec = result(plan, 'nop', 'Detect GPUs and size the ML node')?.result.ansible_facts as { gpu_recommendation: { model: string; image: string } };
    todaysModel = rec.gpu_recommendation.model;
    todaysImage = rec.gpu_recommendation.image;
    expect(LIVE).toContain(todaysModel);
    // nop's older stack: the new services and today's model, its weights first
    const move = result(plan, 'nop', "Plan the move to today's stack")!.result;
    expect(move.msg).toContain(`the ML nodes switch from ${OLD_MODEL} to ${todaysModel}`);
    expect(String(move.msg)).toMatch(/docker-compose\.yml/);
    expect(result(plan, 'nop', "Pre-download today's model weights")).toMatchObject({
      status: 'changed',
      result: { msg: expect.stringContaining(todaysModel) },
    });
    const diffs = plan.events
      .filter((e) => e.type === 'task_result' && e.host === 'nop' && e.task.endsWith("Move to today's stack in the safe window"))
      .map((e) => ('diff' in e ? String(e.diff) : ''))
      .join('\n');
    expect(diffs).toMatch(/^\+\s+versiond:/m);
    expect(diffs).toMatch(/^\+\s+edge-api:/m);
    expect(diffs).toMatch(new RegExp(`^\\+.*"${todaysModel.replace('/', '\\/')}"`, 'm'));
    // the hand-set node: read from its config.env, compose files and node-config; no model switch (the operator's)
    const adopt = result(plan, 'hand', "Plan the move to today's stack")!.result;
    expect(adopt.msg).toBe("today's stack: config.env, node-config.json, docker-compose.yml, nginx.conf, docker-compose.mlnode.yml change");
    expect(adopt.differences).toEqual(HAND_DIFFERENCES);
    expect(result(plan, 'hand', "Move to today's stack in the safe window")).toMatchObject({
      status: 'changed',
      result: { msg: expect.stringMatching(/^would move to today's stack in the safe window: config\.env, /) },
    });
    expect(plan.output).not.toContain(PASSWORD);
    expect(plan.output).not.toContain(HAND_PASSWORD);
    expect(await Promise.all([hostFiles(nop), hostFiles(hand), running(nop), running(hand)])).toEqual(before);
    expect(await servedModels(nop)).toEqual([OLD_MODEL]);
  });

  it('a model that does not come up: the old stack is back and serving, keys and chain data untouched, and the rollout stops before the next host', async () => {
    const [files, containers, keys, handFiles] = await Promise.all([hostFiles(nop), running(nop), keysAndChain(nop), hostFiles(hand)]);
    expect([...keys.keys()].filter((k) => /keyring-file|priv_validator_key|blockstore/.test(k)).length).toBeGreaterThanOrEqual(3);
    writeScenario(nop.stateDir, { brokenImages: [todaysImage] });
    const res = await update();
    expect(res.code).not.toBe(0);
    const failed = result(res, 'nop', "Move to today's stack in the safe window")!;
    expect(failed.status).toBe('failed');
    expect(failed.result.rolled_back).toBe(true);
    expect(String(failed.result.msg)).toMatch(/vLLM engine failed to start/);
    expect(String(failed.result.msg)).toContain(`rolled back to the previous stack and ${OLD_MODEL}, its ML nodes enabled again. The rollout stops here.`);
    // the weights came before the switch, and stay for the next try; everything else as it was
    const after = await hostFiles(nop);
    const weightsDir = `${HF_HOME}/hub/models--${todaysModel.replace('/', '--')}`;
    expect([...after.keys()].some((k) => k.startsWith(weightsDir))).toBe(true);
    expect(new Map([...after].filter(([k]) => !k.startsWith(weightsDir)))).toEqual(files);
    expect(await running(nop)).toEqual(containers);
    expect(await servedModels(nop)).toEqual([OLD_MODEL]);
    expect((await served(nop)).every((n) => n.enabled)).toBe(true);
    expect(await keysAndChain(nop)).toEqual(keys);
    // serial: 1 and max_fail_percentage: 0: the next host was never touched
    expect(res.results.filter((r) => r.host === 'hand')).toEqual([]);
    expect(await hostFiles(hand)).toEqual(handFiles);
    expect(res.output).not.toContain(PASSWORD);
  });

  it("moves both, one after the other: today's services and model, participation recorded, keys and chain data byte-identical", async () => {
    writeScenario(nop.stateDir, { brokenImages: [] });
    const keys = await Promise.all([keysAndChain(nop), keysAndChain(hand)]);
    const res = await update();
    expect(res.code, JSON.stringify(res.results.filter((r) => r.status === 'failed'))).toBe(0);
    // one host at a time: every task of the second host came after the last of the first
    const order = res.results.map((r) => r.host);
    expect(order.lastIndexOf('nop')).toBeLessThan(order.indexOf('hand'));
    expect(String(result(res, 'nop', "Move to today's stack in the safe window")!.result.msg)).toContain(`→ ${todaysModel}; healthy, ML nodes enabled`);
    for (const n of [nop, hand]) {
      expect(await running(n)).toEqual(expect.arrayContaining(['versiond', 'edge-api', 'bridge', 'node', 'api', 'proxy', 'tmkms']));
      expect(await running(n)).not.toContain('proxy-ssl');
    }
    // the health check after the switch reads each compose file's containers in one command a look, not one
    // `docker compose ps` per service it waits for
    for (const [host, n] of [
      ['nop', nop],
      ['hand', hand],
    ] as const) {
      const ps = res.scripts[host].join('\n').split(' ps --all --format json').length - 1;
      expect(ps, host).toBeLessThan((await running(n)).length);
    }
    const nodes = await served(nop);
    expect(nodes.length).toBeGreaterThan(0);
    for (const n of nodes) expect(n).toEqual(expect.objectContaining({ models: [todaysModel], enabled: true }));
    // the participation choices: the moved node refused every live model it does not serve, from its cold key; the
    // hand-set node's choices were on chain already, so nothing was sent
    const nopParticipation = result(res, 'nop', 'PoC participation in every live model')!;
    expect(nopParticipation.status).toBe('changed');
    const cold = ((await refusals(nop)) as { participant: string; model_id: string }[]).filter((r) => LIVE.includes(r.model_id));
    expect(cold.map((r) => r.model_id).sort()).toEqual(LIVE.filter((m) => m !== todaysModel).sort());
    expect(result(res, 'hand', 'PoC participation in every live model')!.status).toBe('ok');
    expect(await Promise.all([keysAndChain(nop), keysAndChain(hand)])).toEqual(keys);
    expect(res.output).not.toContain(PASSWORD);
    expect(res.output).not.toContain(HAND_PASSWORD);

    const again = await update();
    expect(again.code, again.output).toBe(0);
    for (const host of ['nop', 'hand']) expect(result(again, host, "Plan the move to today's stack")!.result.msg).toBe("the deployed stack is today's");
    expect(again.results.filter((r) => r.status === 'changed').map((r) => [r.host, r.task])).toEqual([]);
  });
});
