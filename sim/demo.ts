/**
 * `npm start`: a simulated 8×H100 server on this machine, set up end to end by playbooks/setup.yml with live
 * progress and the recap. The simulated host has its own root (sim/host/sandbox.ts), its services listen on
 * loopback ports shifted clear of a real node's, its chain runs on wall time, and everything is removed
 * afterwards except a copy of the rendered files. `--keep` (as root) leaves it running for day-2 commands, reached
 * over SSH with the inventory it writes to .nop/demo-server/, until `--stop` (or Ctrl-C).
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
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
import { createSimHost, type SimHost } from './host/create.js';

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

// `--keep`: the server stays up for day-2 commands; its inventory, SSH key and the keeper's pid live here
const KEPT_DIR = join(process.cwd(), '.nop', 'demo-server');
const KEPT_FILE = join(KEPT_DIR, 'kept.json');

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const keptPid = async (): Promise<number | undefined> => {
  const text = await readFile(KEPT_FILE, 'utf8').catch(() => undefined);
  const pid = text === undefined ? undefined : (JSON.parse(text) as { pid: number }).pid;
  return pid !== undefined && alive(pid) ? pid : undefined;
};

/** `nop demo --stop`: the kept demo's process closes its simulated server and exits. */
const stop = async (): Promise<number> => {
  const pid = await keptPid();
  if (pid === undefined) {
    process.stderr.write(`ERROR! no kept demo server to stop (none started with --keep from ${process.cwd()})\n`);
    return 1;
  }
  process.kill(pid, 'SIGTERM');
  while (alive(pid)) await new Promise((r) => setTimeout(r, 100));
  process.stdout.write(`The simulated server is stopped and removed (process ${pid}).\n`);
  return 0;
};

// the day-2 inventory: the same host over SSH (a real sshd in the simulated server), with the values setup used
const keptInventory = async (host: SimHost, setupVars: Record<string, unknown>): Promise<{ inventory: string; port: number }> => {
  await rm(KEPT_DIR, { recursive: true, force: true });
  await mkdir(KEPT_DIR, { recursive: true, mode: 0o700 });
  const key = join(KEPT_DIR, 'id_ed25519');
  await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'nop-demo', '-f', key]);
  const sshd = await host.startSshd({ address: '127.0.0.1', authorizedKey: await readFile(`${key}.pub`, 'utf8') });
  const knownHosts = join(KEPT_DIR, 'known_hosts');
  await writeFile(knownHosts, `${sshd.knownHostsLine}\n`, { mode: 0o600 });
  const vars = {
    ...setupVars,
    ansible_host: sshd.address,
    ansible_port: sshd.port,
    ansible_user: 'root',
    ansible_ssh_private_key_file: key,
    nop_known_hosts_file: knownHosts,
  };
  const inventory = join(KEPT_DIR, 'inventory.yml');
  await writeFile(
    inventory,
    stringify({ all: { hosts: { [HOST]: vars }, children: { network_nodes: { hosts: { [HOST]: null } }, ml_nodes: { hosts: { [HOST]: null } } } } }),
    { mode: 0o600 },
  );
  await writeFile(KEPT_FILE, `${JSON.stringify({ pid: process.pid, inventory })}\n`);
  return { inventory, port: sshd.port };
};

const dayTwo = (inventory: string, port: number): string => {
  const inv = relative(process.cwd(), inventory);
  return [
    '',
    `The simulated server keeps running while this process does (pid ${process.pid}); in another terminal, try:`,
    `  npx nop status -i ${inv}`,
    `  npx nop ml-node list -i ${inv} -l ${HOST}`,
    `  npx nop gpu-info -i ${inv}`,
    `  npx nop run playbooks/update.yml -i ${inv} --check`,
    `  npx nop run playbooks/repair.yml -i ${inv}`,
    `  npx nop run playbooks/setup.yml -i ${inv} --check --diff     # the day-2 run: nothing to change`,
    `  ssh -i ${relative(process.cwd(), join(KEPT_DIR, 'id_ed25519'))} -o UserKnownHostsFile=${relative(process.cwd(), join(KEPT_DIR, 'known_hosts'))} -p ${port} root@127.0.0.1`,
    'Stop and remove it: npx nop demo --stop (or Ctrl-C here)',
    '',
  ].join('\n');
};

// the keeper waits for `nop demo --stop` (SIGTERM) or Ctrl-C
const untilStopped = (): Promise<void> =>
  new Promise((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });

const main = async (keep: boolean): Promise<number> => {
  if (keep && process.getuid?.() !== 0) {
    process.stderr.write('ERROR! --keep reaches the simulated server over SSH, and its sshd runs only when the demo runs as root\n');
    return 5;
  }
  const running = keep ? await keptPid() : undefined;
  if (running !== undefined) {
    process.stderr.write(`ERROR! a kept demo server is already running (process ${running}): stop it first with nop demo --stop\n`);
    return 1;
  }
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
  const setupInventory = inventoryFor(offset, keys.url);
  await writeFile(inventory, stringify(setupInventory));
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
    const rendered = join(process.cwd(), '.nop', 'demo');
    await rm(rendered, { recursive: true, force: true });
    await cp(host.path('/opt/gonka/deploy/join'), rendered, { recursive: true, filter: (src) => !/\.(tmkms|inference|dapi)$/.test(src) });
    write(`\nRendered files (a copy${keep ? '' : ', the simulated server is gone'}): ${relative(process.cwd(), rendered) || '.'}/\n`);
    write(`Next, on your own servers:\n`);
    write(`  cp inventory/single-server.yml inventory/mine.yml   # set public_ip, key workflow, password file\n`);
    write(`  npx nop run playbooks/setup.yml -i inventory/mine.yml --check --diff\n`);
    write(`  npx nop run playbooks/setup.yml -i inventory/mine.yml\n`);
    if (!keep || summary.code !== 0) return summary.code;
    const kept = await keptInventory(host, setupInventory.all.hosts[HOST]);
    write(dayTwo(kept.inventory, kept.port));
    await untilStopped();
    await rm(KEPT_DIR, { recursive: true, force: true });
    return 0;
  } finally {
    // the simulated containers are processes of the host: closing it stops them
    await host.close();
    await rm(work, { recursive: true, force: true });
    await keys.close();
  }
};

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--keep' && a !== '--stop');
if (unknown.length) {
  process.stderr.write(`ERROR! nop demo takes --keep or --stop, not ${unknown.join(' ')}\n`);
  process.exitCode = 5;
} else process.exitCode = args.includes('--stop') ? await stop() : await main(args.includes('--keep'));
