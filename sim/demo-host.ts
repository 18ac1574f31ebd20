/**
 * The demo's simulated GPU server (`npm start`, bench/setup-play.ts): an 8×H100 host on driver 580 whose Gonka
 * services listen on loopback ports shifted clear of a real node's, on the simulator's edition-2 chain (v0.2.16: the
 * PoC models MiniMax-M2.7, DeepSeek-V4-Flash-0731 and GLM-5.3-Flash with their coefficients, fees), another
 * participant's public API to read that chain through before the node runs, the signing keys its apt fetches served
 * on loopback, and an inventory for playbooks/setup.yml that keeps everything on this machine.
 */
import { writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import type { RunEvent } from '../lib/runner/types.js';
import { chainOf, newAccountKey, readScenario, setClock, startSeedApi, writeScenario } from './gonka.js';
import { fundsColdAccounts } from './operator-funds.js';
import { createSimHost, type SimHost } from './host/create.js';
import { releasePortOffset, reservePortOffset } from './port-offset.js';

export const DEMO_HOST = 'gonka-demo';

// The simulated apt still fetches the Docker and NVIDIA signing keys: served here, so the demo never leaves loopback.
const signingKeyServer = async () => {
  const server = createHttpServer((_req, res) => res.end('-----BEGIN PGP PUBLIC KEY BLOCK-----\nsimulated\n-----END PGP PUBLIC KEY BLOCK-----\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
};

// The demo's choice for the PoC models its server does not serve: DeepSeek delegated to another participant of
// the simulated network (which serves every PoC model and commits PoC for it), every other model refused.
const DELEGATED_MODEL = 'deepseek-ai/DeepSeek-V4-Flash-0731';

const inventoryFor = (offset: number, keysUrl: string, chainApi: string, delegate: string) => ({
  all: {
    children: {
      network_nodes: { hosts: { [DEMO_HOST]: null } },
      ml_nodes: { hosts: { [DEMO_HOST]: null } },
    },
    hosts: {
      [DEMO_HOST]: {
        gonka_network: 'mainnet',
        public_ip: '127.0.0.1',
        // the simulated network lives on loopback: its public address is one too
        allow_private_public_ip: true,
        key_name: 'demo',
        keyring_password: randomBytes(12).toString('base64url'),
        allow_reboot: true,
        poc_participation: { [DELEGATED_MODEL]: delegate, '*': 'refuse' },
        // the simulated network node is its own seed: nothing leaves loopback
        gonka_network_overrides: { seed_api_url: `http://127.0.0.1:${8000 + offset}`, seed_node_rpc_url: `http://127.0.0.1:${26657 + offset}` },
        // ...so before its own proxy runs, gpu-detect reads the live PoC models and coefficients through another
        // participant's API (a real node reads them through its seed_api_url and needs no such variable)
        gonka_chain_api: chainApi,
        sync_poll_seconds: 1,
        model_poll_seconds: 1,
        docker_apt_key_url: `${keysUrl}/docker/gpg`,
        nvidia_container_toolkit_key_url: `${keysUrl}/nvidia/gpgkey`,
      },
    },
  },
});

export interface DemoHostOptions {
  /** the model download: weight shard size and bandwidth (the demo's takes a few seconds, so its progress is seen) */
  hf: { shard_bytes: number; bytes_per_second: number };
  /** the simulated chain: how fast it syncs, how long vLLM takes to load the model */
  scenario: { syncBlocksPerSecond: number; modelLoadSeconds: number };
}

export interface DemoHost {
  host: SimHost;
  inventory: string;
  /** the host's variables in that inventory (what a day-2 inventory for the same server needs) */
  hostVars: Record<string, unknown>;
  /** the operator, who funds the cold account once the run created it (sim/operator-funds.ts): chain it into the run's emit */
  operator: (e: RunEvent) => void;
  close(): Promise<void>;
}

/** Start the simulated server in WORK (its root and the inventory); close() stops its containers and the key server. */
export const startDemoHost = async (work: string, opts: DemoHostOptions): Promise<DemoHost> => {
  const keys = await signingKeyServer();
  // a real Gonka node on this machine keeps its ports: the demo shifts all of its own by an offset no other simulated
  // node holds, its ports free and below the kernel's ephemeral range (sim/port-offset.ts)
  const offset = await reservePortOffset();
  const host = await createSimHost({ profile: 'h100-8x-580', dir: join(work, 'gpu-server'), gonka: { portOffset: offset }, hf: opts.hf });
  setClock(host.gonkaStateDir, { mode: 'wall', scale: 1 });
  // mainnet as it runs today: the simulator's default chain, with a participant to delegate to
  writeScenario(host.gonkaStateDir, opts.scenario);
  const delegate = newAccountKey().address;
  const models = chainOf(readScenario(host.gonkaStateDir)).pocModels.map((m) => m.model_id);
  writeScenario(host.gonkaStateDir, { chain: { hosts: [{ address: delegate, models, weight: 1000, commitsPoc: true }] } });
  const seed = await startSeedApi(host.gonkaStateDir);
  const inventory = join(work, 'inventory.yml');
  const setup = inventoryFor(offset, keys.url, seed.url, delegate);
  await writeFile(inventory, stringify(setup));
  return {
    host,
    inventory,
    hostVars: setup.all.hosts[DEMO_HOST],
    operator: fundsColdAccounts([host.gonkaStateDir]),
    close: async () => {
      // the simulated containers are processes of the host: closing it stops them
      await host.close();
      await keys.close();
      await seed.close();
      releasePortOffset(offset);
    },
  };
};
