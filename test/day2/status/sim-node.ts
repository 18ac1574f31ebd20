// A simulated single-server Gonka node for day-2 tests (one ML node: the simulator's nginx serves one instance): the config
// role renders the deploy dir on a simulated host, the docker shim starts the Gonka simulator, a loopback "seed" answers
// /status with the network height. The inventory reaches the host over SSH, to its own sshd, as `nop status` reaches a server.
import { createECDH } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { runPlaybook } from '../../../lib/runner/run-playbook.js';
import { recommendationFor } from '../../config/fixtures.js';
import {
  chainOf,
  EDITION_1_CHAIN,
  networkHeightNow,
  readScenario,
  recordPocChoice,
  writeScenario,
  writeStatusKnobs,
  type ScenarioPatch,
  type StatusKnobs,
} from '../../../sim/gonka.js';
import { createSimHost, type SimHost } from '../../../sim/host/create.js';
import { PROFILES_DIR } from '../../../sim/host/paths.js';
import type { ProfileInput } from '../../../sim/host/profile.js';
import { sshInto, type SimSshAccess } from '../../helpers/sim-ssh.js';
import { reservePortOffset, releasePortOffset } from '../../../sim/port-offset.js';

const DEPLOY = '/opt/gonka/deploy/join';

export interface SimNode {
  dir: string;
  host: SimHost;
  /** the Gonka simulator's state dir, on this machine */
  stateDir: string;
  /** the deploy dir, on this machine */
  deployDir: string;
  inventory: string;
  offset: number;
  /** a URL on the simulator as the host publishes it (hostPort shifted by the offset) */
  url(hostPort: number, path: string): string;
  /** a shell script on the host, in its deploy dir */
  sh(script: string): Promise<{ code: number; stdout: string; stderr: string }>;
  scenario(patch: ScenarioPatch): void;
  knobs(patch: Partial<StatusKnobs>): void;
  cleanup(): Promise<void>;
}

// the seed reads the height without looking at the network: it is no observation (sim/gonka/clock.mjs)
const startSeed = async (stateDir: string): Promise<Server> => {
  const server = createServer((_req, res) => {
    const height = networkHeightNow(stateDir);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', id: -1, result: { sync_info: { latest_block_height: String(height), catching_up: false } } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
};

interface AdminNodeView {
  node: { id: string };
  state: { current_status: string; failure_reason: string };
}

// The api container starts before docker-compose.mlnode.yml brings up `inference`, so its first
// reconciliation marks every ML node FAILED ("failed to resolve ML node host inference") until its
// next tick: a node is handed out only once the api has driven each ML node to a real state.
const mlNodesReconciled = async (adminNodesUrl: string): Promise<void> => {
  const deadline = Date.now() + 120_000;
  let last: AdminNodeView[] = [];
  while (Date.now() < deadline) {
    last = (await (await fetch(adminNodesUrl)).json()) as AdminNodeView[];
    if (last.every((n) => !['FAILED', 'UNKNOWN'].includes(n.state.current_status))) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`ML nodes not reconciled by the api: ${JSON.stringify(last.map((n) => [n.node.id, n.state.current_status, n.state.failure_reason]))}`);
};

export const createSimNode = async (opts: { scenario?: ScenarioPatch } = {}): Promise<SimNode> => {
  const dir = await mkdtemp(join(tmpdir(), 'nop-day2-'));
  const base = parse(await readFile(join(PROFILES_DIR, 'h100-8x.yaml'), 'utf8')) as ProfileInput & { packages: { name: string }[] };
  const offset = await reservePortOffset();
  const host = await createSimHost({
    dir: join(dir, 'host'),
    gonka: { portOffset: offset },
    profile: {
      ...base,
      packages: [
        ...base.packages,
        { name: 'containerd.io' },
        { name: 'docker-ce-cli' },
        { name: 'docker-ce' },
        { name: 'docker-compose-plugin' },
        { name: 'nvidia-container-toolkit' },
      ],
    },
  });
  let ssh: SimSshAccess | undefined;
  let seed: Server | undefined;
  const stateDir = host.gonkaStateDir;
  const deployDir = host.path(DEPLOY);
  const sh = (script: string) => host.sh(script, { cwd: DEPLOY });
  const cleanup = async () => {
    await ssh?.close();
    await host.close();
    if (seed) await new Promise((resolve) => seed?.close(resolve));
    releasePortOffset(offset);
    await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  };
  try {
    // the roles still deploy the reference's first-edition network (Qwen3 models, no fees): issue 12 part B moves them
    writeScenario(stateDir, { syncBlocksPerSecond: 100000, modelLoadSeconds: 0, chain: EDITION_1_CHAIN, ...opts.scenario });
    seed = await startSeed(stateDir);
    const seedPort = (seed.address() as { port: number }).port;
    const ecdh = createECDH('secp256k1');
    ecdh.generateKeys();
    const pubkey = ecdh.getPublicKey('base64', 'compressed');
    const rec = await recommendationFor('1xRTX3090', 'mainnet');
    ssh = await sshInto(host);
    const vars = {
      ...ssh.vars,
      gonka_network: 'mainnet',
      public_ip: '127.0.0.1',
      allow_private_public_ip: true,
      key_name: 'gpu1-warm',
      keyring_password: 'correct-horse-battery-staple',
      account_pubkey: pubkey,
      gpu_recommendation: rec,
      gonka_network_overrides: { seed_node_rpc_url: `http://127.0.0.1:${seedPort}` },
    };
    const inventory = join(dir, 'inventory.yml');
    await writeFile(
      inventory,
      stringify({ all: { hosts: { gpu1: vars }, children: { network_nodes: { hosts: { gpu1: null } }, ml_nodes: { hosts: { gpu1: null } } } } }),
    );
    await writeFile(join(dir, 'site.yml'), stringify([{ hosts: 'all', gather_facts: false, roles: ['config'] }]));
    const events: unknown[] = [];
    const summary = await runPlaybook({
      playbook: join(dir, 'site.yml'),
      inventories: [inventory],
      emit: (e) => events.push(e),
      connect: async () => host.transport(),
    });
    if (summary.code !== 0) throw new Error(`config role failed: ${JSON.stringify(events).slice(-2000)}`);
    const nodeConfig = JSON.parse(await readFile(join(deployDir, 'node-config.json'), 'utf8')) as { models: Record<string, unknown> }[];
    for (const model of new Set(nodeConfig.flatMap((e) => Object.keys(e.models)))) {
      await mkdir(host.path(`/mnt/shared/hub/models--${model.replaceAll('/', '--')}`), { recursive: true });
    }
    const up = await sh(
      'nvidia-ctk runtime configure >/dev/null && systemctl restart docker && set -a; . ./config.env; docker compose -f docker-compose.yml up -d && docker compose -f docker-compose.mlnode.yml up -d',
    );
    if (up.code !== 0) throw new Error(`compose up failed: ${up.stderr}`);
    const url = (hostPort: number, path: string) => `http://127.0.0.1:${hostPort + offset}${path}`;
    const reg = await fetch(url(8000, '/v1/participants'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pub_key: pubkey, url: 'http://127.0.0.1:8000' }),
    });
    if (reg.status !== 200) throw new Error(`registration failed: ${await reg.text()}`);
    // the operator's choice for the PoC models the node does not serve (setup's participation role records it)
    const { address } = (await reg.json()) as { address: string };
    const served = new Set(nodeConfig.flatMap((e) => Object.keys(e.models)));
    for (const m of chainOf(readScenario(stateDir)).pocModels) if (!served.has(m.model_id)) recordPocChoice(stateDir, address, m.model_id, 'refuse');
    await mlNodesReconciled(url(9200, '/admin/v1/nodes'));
    return {
      dir,
      host,
      stateDir,
      deployDir,
      inventory,
      offset,
      url,
      sh,
      scenario: (patch) => void writeScenario(stateDir, patch),
      knobs: (patch) => void writeStatusKnobs(stateDir, patch),
      cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
};
