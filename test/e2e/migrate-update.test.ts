import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from '../../sim/host/paths.js';
import { DEFAULT_CHAIN, EDITION_1_CHAIN } from '../../sim/gonka.js';
import { adminNodes, createFleet, DEPLOY, seedChainApi, DEPLOY_KNOBS, PASSWORD, seedOverrides, snapshotTree, type Fleet } from './sim-fleet.js';

// nop's older stack (up to v0.2.12): no versiond, edge-api, bridge or proxy-ssl, no p2p CONFIG_* settings
const NEW_SERVICES = ['versiond', 'edge-api', 'bridge', 'proxy-ssl'];
const NEW_NODE_ENV = /^(CONFIG_|QUERY_GAS_LIMIT|GONKA_SLOW_QUERY_THRESHOLD_MS)/;
const OLD_MODEL = 'Qwen/Qwen3-235B-A22B-Instruct-2507-FP8';
// epoch 308 on: Qwen3-235B out of PoC (still a governance model for a while, so its node entry is accepted back)
const TODAYS_CHAIN = { ...DEFAULT_CHAIN, governanceModels: [...DEFAULT_CHAIN.governanceModels, OLD_MODEL] };
const HF_HOME = '/mnt/shared';
const FAST = { update_poll_interval: 0.5, update_poc_margin_blocks: 0, update_load_timeout: 600, update_window_timeout: 600 };

let seed: Awaited<ReturnType<typeof seedChainApi>>;
let fleet: Fleet;
let update: (opts?: { check?: boolean; diff?: boolean }) => ReturnType<Fleet['run']>;
beforeAll(async () => {
  // driver 580: today's images run without a driver upgrade (update.yml does not install drivers)
  [fleet, seed] = await Promise.all([createFleet([{ name: 'gpu1', profile: 'b300-8x', address: '127.0.0.1' }]), seedChainApi(TODAYS_CHAIN)]);
  const s = fleet.servers.gpu1;
  await fleet.writeInventory({
    all: {
      hosts: {
        gpu1: {
          ...s.vars,
          public_ip: '127.0.0.1',
          allow_private_public_ip: true,
          gonka_network: 'mainnet',
          keyring_password: PASSWORD,
          key_workflow: 'quick',
          gonka_network_overrides: seedOverrides(fleet.offset),
          gonka_admin_url: `http://127.0.0.1:${9200 + fleet.offset}`,
          gonka_api_url: `http://127.0.0.1:${8000 + fleet.offset}`,
          mlnode_management_url: `http://127.0.0.1:${8080 + fleet.offset}`,
          mlnode_inference_url: `http://127.0.0.1:${5050 + fleet.offset}`,
          ...DEPLOY_KNOBS,
          nop_lock_file: join(fleet.dir, 'nop.lock'),
        },
      },
      children: { network_nodes: { hosts: { gpu1: null } }, ml_nodes: { hosts: { gpu1: null } } },
    },
  });
  // the node as nop set it up in spring 2026: serving Qwen3-235B on the first-edition chain
  fleet.scenario('gpu1', { chain: EDITION_1_CHAIN });
  const setup = await fleet.run();
  expect(setup.code, setup.output).toBe(0);
  await toOlderStack();
  // the network moves on: today's PoC models and coefficients
  fleet.scenario('gpu1', { chain: TODAYS_CHAIN });
  const playbook = join(fleet.dir, 'update.yml');
  await writeFile(playbook, await readFile(join(REPO_ROOT, 'playbooks/update.yml'), 'utf8'));
  update = (opts = {}) => fleet.run({ ...opts, playbook, extraVars: { ...FAST, gonka_chain_api: seed.url } });
});
afterAll(async () => {
  await fleet?.cleanup();
  await seed?.close();
});

type ComposeDoc = { services: Record<string, { environment?: string[]; depends_on?: Record<string, unknown> }> };

/** The running node as nop's older stack had it: its compose file and containers without today's services. */
const toOlderStack = async () => {
  const s = fleet.servers.gpu1;
  const file = s.host.path(`${DEPLOY}/docker-compose.yml`);
  const doc = parse(await readFile(file, 'utf8')) as ComposeDoc;
  for (const name of NEW_SERVICES) delete doc.services[name];
  for (const name of NEW_SERVICES) delete doc.services.proxy.depends_on?.[name];
  doc.services.node.environment = doc.services.node.environment?.filter((e) => !NEW_NODE_ENV.test(e));
  await writeFile(file, stringify(doc));
  const res = await s.host.sh(`docker rm -f versiond edge-api bridge >/dev/null; rm -f ${DEPLOY}/*~ && docker ps --format '{{.Names}}'`);
  expect(res.stdout).not.toMatch(/versiond|edge-api|bridge/);
};

const running = async (): Promise<string[]> => (await fleet.servers.gpu1.host.sh(`docker ps --format '{{.Names}}'`)).stdout.split('\n').filter(Boolean).sort();

// the host's files a run may change: the deploy dir (keys, chain data, compose files) and HF_HOME; backups (`…~`) the
// copy module keeps of replaced files are left out
const hostFiles = async () => {
  const s = fleet.servers.gpu1;
  const tree = new Map<string, string>();
  for (const dir of [DEPLOY, HF_HOME])
    for (const [k, v] of await snapshotTree(s.host.path(dir))) if (!k.endsWith('~') && !k.includes('/.dapi/')) tree.set(`${dir}${k}`, v);
  return tree;
};

// keys and chain data: what no move may ever touch
const keysAndChain = async () =>
  new Map([...(await hostFiles())].filter(([k]) => /\/\.tmkms\/secrets\/|keyring-file|node_key\.json|priv_validator_key|blockstore\.db/.test(k)));

const served = async () => (await adminNodes(fleet)).map((n) => ({ id: n.node.id, models: Object.keys(n.node.models), enabled: n.state.admin_state.enabled }));
const servedModels = async () => [...new Set((await served()).flatMap((n) => n.models))];

const result = (res: Awaited<ReturnType<Fleet['run']>>, task: string) => res.results.find((r) => r.task.endsWith(task));

describe("update.yml moves a node from nop's older stack (Qwen3-235B) to today's", () => {
  let todaysModel: string;
  let todaysImage: string;

  it('--check --diff is the plan: the new services, settings and model, and nothing on the host changes', async () => {
    expect(await servedModels()).toEqual([OLD_MODEL]);
    const files = await hostFiles();
    const containers = await running();
    const plan = await update({ check: true, diff: true });
    expect(plan.code, plan.output).toBe(0);
    const rec = result(plan, 'Detect GPUs and size the ML node')?.result.ansible_facts as { gpu_recommendation: { model: string; image: string } };
    todaysModel = rec.gpu_recommendation.model;
    todaysImage = rec.gpu_recommendation.image;
    expect(todaysModel).not.toBe(OLD_MODEL);
    expect(DEFAULT_CHAIN.pocModels.map((m) => m.model_id)).toContain(todaysModel);
    const move = result(plan, "Plan the move to today's stack")!.result;
    expect(move.msg).toContain(`the ML nodes switch from ${OLD_MODEL} to ${todaysModel}`);
    expect(String(move.msg)).toMatch(/docker-compose\.yml/);
    const weights = result(plan, "Pre-download today's model weights")!;
    expect([weights.status, String(weights.result.msg)]).toEqual(['changed', expect.stringContaining(todaysModel)]);
    const moved = plan.results.find((r) => r.task.endsWith("Move to today's stack in the safe window"))!;
    expect(moved.status).toBe('changed');
    // the diffs: the compose file gains the new services, node-config the new model; config.env's values stay secret
    const diffs = plan.events
      .filter((e) => e.type === 'task_result' && e.task.endsWith("Move to today's stack in the safe window"))
      .map((e) => ('diff' in e ? String(e.diff) : ''))
      .join('\n');
    expect(diffs).toMatch(/^\+\s+versiond:/m);
    expect(diffs).toMatch(/^\+\s+edge-api:/m);
    expect(diffs).toMatch(new RegExp(`^\\+.*"${todaysModel.replace('/', '\\/')}"`, 'm'));
    expect(diffs).toMatch(new RegExp(`^-.*"${OLD_MODEL.replace('/', '\\/').replaceAll('.', '\\.')}"`, 'm'));
    expect(plan.output).not.toContain(PASSWORD);
    expect(await hostFiles()).toEqual(files);
    expect(await running()).toEqual(containers);
    expect(await servedModels()).toEqual([OLD_MODEL]);
  });

  it('a model that does not come up on the new stack: the previous files, containers and model come back, and the run says why', async () => {
    const files = await hostFiles();
    const containers = await running();
    fleet.scenario('gpu1', { brokenImages: [todaysImage] });
    const res = await update();
    expect(res.code).not.toBe(0);
    const failed = result(res, "Move to today's stack in the safe window")!;
    expect(failed.status).toBe('failed');
    expect(failed.result.rolled_back).toBe(true);
    expect(String(failed.result.msg)).toMatch(/vLLM engine failed to start/);
    expect(String(failed.result.msg)).toContain(`rolled back to the previous stack and ${OLD_MODEL}, its ML nodes enabled again. The rollout stops here.`);
    // the weights came before the switch, and stay for the next try
    expect(result(res, "Pre-download today's model weights")!.status).toBe('changed');
    const after = await hostFiles();
    const weightsDir = `${HF_HOME}/hub/models--${todaysModel.replace('/', '--')}`;
    expect([...after.keys()].some((k) => k.startsWith(weightsDir))).toBe(true);
    expect(new Map([...after].filter(([k]) => !k.startsWith(weightsDir)))).toEqual(files);
    expect(await running()).toEqual(containers);
    expect(await servedModels()).toEqual([OLD_MODEL]);
    expect((await served()).every((n) => n.enabled)).toBe(true);
    expect(res.output).not.toContain(PASSWORD);
  });

  it("moves to today's stack: new services, today's model enabled, keys and chain data untouched, then nothing to do", async () => {
    fleet.scenario('gpu1', { brokenImages: [] });
    // chain data the node does not rewrite as blocks come (a stand-in for its block store)
    await fleet.servers.gpu1.host.sh(`head -c 4096 /dev/urandom > ${DEPLOY}/.inference/data/blockstore.db`);
    const keys = await keysAndChain();
    expect([...keys.keys()].some((k) => k.includes('keyring-file'))).toBe(true);
    expect([...keys.keys()].some((k) => k.includes('blockstore.db'))).toBe(true);
    const res = await update();
    expect(res.code, JSON.stringify(res.results.filter((r) => r.status === 'failed'))).toBe(0);
    expect(String(result(res, "Move to today's stack in the safe window")!.result.msg)).toContain(`→ ${todaysModel}; healthy, ML nodes enabled`);
    expect(await running()).toEqual(expect.arrayContaining(['versiond', 'edge-api', 'bridge', 'node', 'api', 'proxy', 'tmkms']));
    expect(await running()).not.toContain('proxy-ssl');
    const nodes = await served();
    expect(nodes.length).toBeGreaterThan(0);
    for (const n of nodes) expect(n).toEqual(expect.objectContaining({ models: [todaysModel], enabled: true }));
    expect(await keysAndChain()).toEqual(keys);
    expect(res.output).not.toContain(PASSWORD);

    const again = await update();
    expect(again.code, again.output).toBe(0);
    expect(result(again, "Plan the move to today's stack")!.result.msg).toBe("the deployed stack is today's");
    expect(again.results.filter((r) => r.status === 'changed').map((r) => r.task)).toEqual([]);
  });
});
