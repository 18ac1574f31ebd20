/**
 * `npm start`: a simulated 8×H100 server on this machine, set up end to end by playbooks/setup.yml with live
 * progress and the recap. The simulated host has its own root (sim/host/sandbox.ts), its services listen on
 * loopback ports shifted clear of a real node's, its chain runs on wall time, and everything is removed
 * afterwards except a copy of the rendered files.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { packageRoot } from '../lib/runner/paths.js';
import { runPlaybook } from '../lib/runner/run-playbook.js';
import { plainReporter } from '../lib/report/plain-reporter.js';
import { liveReporter } from '../lib/report/live-reporter.js';
import { EDITION_1_CHAIN, setClock, writeScenario } from './gonka.js';
import { createSimHost } from './host/create.js';

const GONKA_PORTS = [5000, 8000, 8443, 26656, 26657, 9100, 9200, 8080, 5050, 30303];
const HOST = 'gonka-demo';

const portsFree = (offset: number): Promise<boolean> =>
  Promise.all(
    GONKA_PORTS.map(
      (p) =>
        new Promise<boolean>((resolve) => {
          const s = createServer();
          s.once('error', () => resolve(false));
          s.listen(p + offset, '127.0.0.1', () => s.close(() => resolve(true)));
        }),
    ),
  ).then((all) => all.every(Boolean));

// a real Gonka node on this machine keeps its ports; the demo shifts all of its own by a free offset
const freeOffset = async (): Promise<number> => {
  // the bridge's 30303 shifted stays below 65536
  for (let offset = 30000; offset <= 35000; offset += 1000) if (await portsFree(offset)) return offset;
  throw new Error('no free block of loopback ports for the simulated node');
};

// The simulated apt still fetches the Docker and NVIDIA signing keys: served here, so the demo never leaves loopback.
const signingKeyServer = async () => {
  const server = createHttpServer((_req, res) => res.end('-----BEGIN PGP PUBLIC KEY BLOCK-----\nsimulated\n-----END PGP PUBLIC KEY BLOCK-----\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
};

const inventoryFor = (offset: number, keysUrl: string) => ({
  all: {
    children: {
      network_nodes: { hosts: { [HOST]: null } },
      ml_nodes: { hosts: { [HOST]: null } },
    },
    hosts: {
      [HOST]: {
        gonka_network: 'mainnet',
        public_ip: '127.0.0.1',
        // the simulated network lives on loopback: its public address is one too
        allow_private_public_ip: true,
        key_name: 'demo',
        keyring_password: randomBytes(12).toString('base64url'),
        allow_reboot: true,
        // the simulated network node is its own seed: nothing leaves loopback
        gonka_network_overrides: { seed_api_url: `http://127.0.0.1:${8000 + offset}`, seed_node_rpc_url: `http://127.0.0.1:${26657 + offset}` },
        sync_poll_seconds: 1,
        model_poll_seconds: 1,
        docker_apt_key_url: `${keysUrl}/docker/gpg`,
        nvidia_container_toolkit_key_url: `${keysUrl}/nvidia/gpgkey`,
      },
    },
  },
});

const main = async (): Promise<number> => {
  const work = await mkdtemp(join(tmpdir(), 'nop-demo-'));
  const keys = await signingKeyServer();
  const offset = await freeOffset();
  // the model download takes a few seconds, so its live progress (bytes of total, rate, ETA) is seen
  const host = await createSimHost({
    profile: 'h100-8x',
    dir: join(work, 'gpu-server'),
    gonka: { portOffset: offset },
    hf: { shard_bytes: 24e6, bytes_per_second: 8e6 },
  });
  setClock(host.gonkaStateDir, { mode: 'wall', scale: 1 });
  // the roles still deploy the reference's first-edition network (Qwen3 models, no fees) until issue 12 part B moves them
  writeScenario(host.gonkaStateDir, { syncBlocksPerSecond: 400, modelLoadSeconds: 4, chain: EDITION_1_CHAIN });
  const inventory = join(work, 'inventory.yml');
  await writeFile(inventory, stringify(inventoryFor(offset, keys.url)));
  const write = (s: string) => void process.stdout.write(s);
  const reporter = process.stdout.isTTY && !process.env.CI ? liveReporter(write) : { sink: plainReporter(write), close: async () => undefined };
  write(`nop demo: a simulated 8×H100 server in ${host.dir}\n`);
  try {
    const summary = await runPlaybook({
      playbook: join(packageRoot, 'playbooks', 'setup.yml'),
      inventories: [inventory],
      emit: reporter.sink,
      connect: async () => host.transport(),
    });
    await reporter.close();
    const keep = join(process.cwd(), '.nop', 'demo');
    await rm(keep, { recursive: true, force: true });
    await cp(host.path('/opt/gonka/deploy/join'), keep, { recursive: true, filter: (src) => !/\.(tmkms|inference|dapi)$/.test(src) });
    write(`\nRendered files (a copy, the simulated server is gone): ${relative(process.cwd(), keep) || '.'}/\n`);
    write(`Next, on your own servers:\n`);
    write(`  cp inventory/single-server.yml inventory/mine.yml   # set public_ip, key workflow, password file\n`);
    write(`  npx nop run playbooks/setup.yml -i inventory/mine.yml --check --diff\n`);
    write(`  npx nop run playbooks/setup.yml -i inventory/mine.yml\n`);
    return summary.code;
  } finally {
    // the simulated containers are processes of the host: closing it stops them
    await host.close();
    await rm(work, { recursive: true, force: true });
    await keys.close();
  }
};

process.exitCode = await main();
