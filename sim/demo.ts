/**
 * `npm start`: a simulated 8×H100 server on this machine, set up end to end by playbooks/setup.yml with live
 * progress and the recap. The simulated host lives in a temp directory, its services listen on loopback ports
 * shifted clear of a real node's, and everything is removed afterwards except a copy of the rendered files.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
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
import { localTransport } from '../lib/transport/local.js';
import { pathToFileURL } from 'node:url';
import { createSimHost } from './host/create.js';
import { REPO_ROOT } from './host/paths.js';
import type { ScenarioPatch, Scenario } from './gonka/scenario.mjs';

// the Gonka simulator is plain ESM kept in the source tree (it runs as shims): load it from there, compiled or not
const { writeScenario } = (await import(pathToFileURL(join(REPO_ROOT, 'sim/gonka/scenario.mjs')).href)) as {
  writeScenario: (stateDir: string, patch: ScenarioPatch) => Scenario;
};

const GONKA_PORTS = [5000, 8000, 26656, 26657, 9100, 9200, 8080, 5050];

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
  for (let offset = 30000; offset < 60000; offset += 1000) if (await portsFree(offset)) return offset;
  throw new Error('no free block of loopback ports for the simulated node');
};

// The simulated apt still fetches the Docker and NVIDIA signing keys: served here, so the demo never leaves loopback.
const signingKeyServer = async () => {
  const server = createHttpServer((_req, res) => res.end('-----BEGIN PGP PUBLIC KEY BLOCK-----\nsimulated\n-----END PGP PUBLIC KEY BLOCK-----\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
};

const main = async (): Promise<number> => {
  const work = await mkdtemp(join(tmpdir(), 'nop-demo-'));
  const keys = await signingKeyServer();
  const offset = await freeOffset();
  const host = await createSimHost({ profile: 'h100-8x', dir: join(work, 'gpu-server') });
  // the model download takes a few seconds, so its live progress (bytes of total, rate, ETA) is seen
  const env = { ...host.env, NOP_SIM_PORT_OFFSET: String(offset), NOP_SIM_HF_SHARD_BYTES: String(24e6), NOP_SIM_HF_BYTES_PER_SECOND: String(8e6) };
  const stateDir = join(host.root, 'var/lib/nop-sim/docker');
  await mkdir(stateDir, { recursive: true });
  writeScenario(stateDir, { syncBlocksPerSecond: 400, modelLoadSeconds: 4 });
  const inventory = join(work, 'inventory.yml');
  await writeFile(
    inventory,
    stringify({
      all: {
        children: {
          network_nodes: { hosts: { 'gonka-demo': null } },
          ml_nodes: { hosts: { 'gonka-demo': null } },
        },
        hosts: {
          'gonka-demo': {
            ...host.inventoryVars,
            nop_env: env,
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
            docker_apt_key_url: `${keys.url}/docker/gpg`,
            nvidia_container_toolkit_key_url: `${keys.url}/nvidia/gpgkey`,
          },
        },
      },
    }),
  );
  const write = (s: string) => void process.stdout.write(s);
  const reporter = process.stdout.isTTY && !process.env.CI ? liveReporter(write) : { sink: plainReporter(write), close: async () => undefined };
  write(`nop demo: a simulated 8×H100 server in ${host.root}\n`);
  try {
    const summary = await runPlaybook({ playbook: join(packageRoot, 'playbooks', 'setup.yml'), inventories: [inventory], emit: reporter.sink });
    await reporter.close();
    const keep = join(process.cwd(), '.nop', 'demo');
    await rm(keep, { recursive: true, force: true });
    await cp(host.inventoryVars.gonka_deploy_dir, keep, { recursive: true, filter: (src) => !/\.(tmkms|inference|dapi)$/.test(src) });
    write(`\nRendered files (a copy, the simulated server is gone): ${relative(process.cwd(), keep) || '.'}/\n`);
    write(`Next, on your own servers:\n`);
    write(`  cp inventory/single-server.yml inventory/mine.yml   # set public_ip, key workflow, password file\n`);
    write(`  npx nop run playbooks/setup.yml -i inventory/mine.yml --check --diff\n`);
    write(`  npx nop run playbooks/setup.yml -i inventory/mine.yml\n`);
    return summary.code;
  } finally {
    // both files are one compose project (the deploy dir's name): one `down` stops all of it
    const deploy = host.inventoryVars.gonka_deploy_dir;
    await localTransport().exec(`cd ${deploy} && docker compose -f docker-compose.yml -f docker-compose.mlnode.yml down >/dev/null 2>&1`, { env });
    await rm(work, { recursive: true, force: true });
    await keys.close();
  }
};

process.exitCode = await main();
