/**
 * `npm start`: a simulated 8×H100 server on this machine, set up end to end by playbooks/setup.yml with live
 * progress and the recap. The simulated host has its own root (sim/host/sandbox.ts), its services listen on
 * loopback ports shifted clear of a real node's, its chain runs on wall time, and everything is removed
 * afterwards except a copy of the rendered files. `--keep` (as root) leaves it running for day-2 commands, reached
 * over SSH with the inventory it writes to .nop/demo-server/, until `--stop` (or Ctrl-C).
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { packageRoot } from '../lib/runner/paths.js';
import { runPlaybook } from '../lib/runner/run-playbook.js';
import { plainReporter } from '../lib/report/plain-reporter.js';
import { liveReporter } from '../lib/report/live-reporter.js';
import { DEMO_HOST, startDemoHost } from './demo-host.js';
import type { SimHost } from './host/create.js';
import { processAlive } from '../lib/cron/process-alive.js';

// `--keep`: the server stays up for day-2 commands; its inventory, SSH key and the keeper's pid live here
const KEPT_DIR = join(process.cwd(), '.nop', 'demo-server');
const KEPT_FILE = join(KEPT_DIR, 'kept.json');

const keptPid = async (): Promise<number | undefined> => {
  const text = await readFile(KEPT_FILE, 'utf8').catch(() => undefined);
  const pid = text === undefined ? undefined : (JSON.parse(text) as { pid: number }).pid;
  return pid !== undefined && processAlive(pid) ? pid : undefined;
};

/** `nop demo --stop`: the kept demo's process closes its simulated server and exits. */
const stop = async (): Promise<number> => {
  const pid = await keptPid();
  if (pid === undefined) {
    process.stderr.write(`ERROR! no kept demo server to stop (none started with --keep from ${process.cwd()})\n`);
    return 1;
  }
  process.kill(pid, 'SIGTERM');
  while (processAlive(pid)) await new Promise((r) => setTimeout(r, 100));
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
    stringify({
      all: { hosts: { [DEMO_HOST]: vars }, children: { network_nodes: { hosts: { [DEMO_HOST]: null } }, ml_nodes: { hosts: { [DEMO_HOST]: null } } } },
    }),
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
    `  npx nop ml-node list -i ${inv} -l ${DEMO_HOST}`,
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
  // the model download takes a few seconds, so its live progress (bytes of total, rate, ETA) is seen
  const { host, inventory, hostVars, operator, close } = await startDemoHost(work, {
    hf: { shard_bytes: 24e6, bytes_per_second: 8e6 },
    scenario: { syncBlocksPerSecond: 400, modelLoadSeconds: 4 },
  });
  const write = (s: string) => void process.stdout.write(s);
  const reporter = process.stdout.isTTY && !process.env.CI ? liveReporter(write) : { sink: plainReporter(write), close: async () => undefined };
  write(`nop demo: a simulated 8×H100 server in ${host.dir}\n`);
  try {
    const summary = await runPlaybook({
      playbook: join(packageRoot, 'playbooks', 'setup.yml'),
      inventories: [inventory],
      emit: (e) => {
        operator(e);
        reporter.sink(e);
      },
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
    const kept = await keptInventory(host, hostVars);
    write(dayTwo(kept.inventory, kept.port));
    await untilStopped();
    await rm(KEPT_DIR, { recursive: true, force: true });
    return 0;
  } finally {
    await close();
    await rm(work, { recursive: true, force: true });
  }
};

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--keep' && a !== '--stop');
if (unknown.length) {
  process.stderr.write(`ERROR! nop demo takes --keep or --stop, not ${unknown.join(' ')}\n`);
  process.exitCode = 5;
} else process.exitCode = args.includes('--stop') ? await stop() : await main(args.includes('--keep'));
