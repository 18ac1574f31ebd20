// Full Gonka servers (network node + one ML node each) on simulated hosts: rendered by the config role,
// started through the docker shim, each host on its own port offset and simulator state.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { loadVersions } from '../../../lib/gonka/versions.js';
import { mlnodeImage } from '../../../lib/gpu/image.js';
import { runPlaybook } from '../../../lib/runner/run-playbook.js';
import type { RunEvent } from '../../../lib/runner/types.js';
import { recommendationFor } from '../../config/fixtures.js';
import { EDITION_1_CHAIN, writeScenario, type ScenarioPatch } from '../../../sim/gonka.js';
import { simConnect } from '../../../sim/host/connect.js';
import { createSimHost, type SimHost } from '../../../sim/host/create.js';
import type { ProfileInput } from '../../../sim/host/profile.js';
import { releasePortOffset, reservePortOffset } from '../../../sim/port-offset.js';
import { type SimSshAccess, sshInto } from '../../helpers/sim-ssh.js';

export const PUBKEY = Buffer.from([2, ...Array.from({ length: 32 }, (_, i) => i + 1)]).toString('base64');
/** The deploy dir on every simulated server (the roles' default). */
export const DEPLOY = '/opt/gonka/deploy/join';

export interface FleetHost {
  name: string;
  sim: SimHost;
  offset: number;
  /** the Gonka simulator's state dir, on this machine */
  stateDir: string;
  /** the deploy dir, on this machine */
  deployDir: string;
  vars: Record<string, unknown>;
  url(port: number, path: string): string;
}

export interface Fleet {
  dir: string;
  hosts: FleetHost[];
  run(playbook: string, extraVars?: Record<string, unknown>, opts?: { check?: boolean; limit?: string }): Promise<{ code: number; events: RunEvent[] }>;
  /** runPlaybook's `connect` for the fleet's inventory */
  connect: ReturnType<typeof simConnect>;
  sh(host: FleetHost, script: string): Promise<{ code: number; stdout: string; stderr: string }>;
  cleanup(): Promise<void>;
}

const MODEL_DIR = '/mnt/shared/hub/models--Qwen--Qwen3-32B-FP8';

/** A simulated server (rtx3090 unless named) with Docker, Compose and the NVIDIA runtime in place, as prepare.yml leaves it. */
export const preparedServer = async (
  name: string,
  dir: string,
  gonka: { portOffset: number; privateAddr?: string },
  clockDir?: string,
  cpuFlags?: string[],
  profileName = 'rtx3090-1x',
): Promise<SimHost> => {
  const profile = parse(await readFile(join(import.meta.dirname, `../../../sim/host/profiles/${profileName}.yaml`), 'utf8')) as ProfileInput & {
    packages: { name: string }[];
  };
  const sim = await createSimHost({
    dir,
    gonka,
    clockDir,
    profile: {
      ...profile,
      hostname: name,
      ...(cpuFlags ? { cpu_flags: cpuFlags } : {}),
      packages: [...profile.packages, { name: 'docker-ce' }, { name: 'docker-compose-plugin' }, { name: 'nvidia-container-toolkit' }],
    },
  });
  await writeFile(sim.path('/etc/docker/daemon.json'), JSON.stringify({ runtimes: { nvidia: { path: 'nvidia-container-runtime', args: [] } } }));
  const restart = await sim.sh('systemctl restart docker');
  if (restart.code !== 0) throw new Error(`docker restart on ${name}: ${restart.stderr}`);
  await mkdir(sim.path(MODEL_DIR), { recursive: true });
  return sim;
};

export interface FleetOptions {
  /**
   * reach every host over SSH (a real sshd in each simulated host, root only) instead of the simulator's launcher:
   * the inventory gets each host's address, port, key and pinned host key, and `run` uses nop's ssh transport
   */
  ssh?: boolean;
  /**
   * the CPU flags every host's /proc/cpuinfo shows (default: this machine's). The host sees `<fleet dir>/<name>/cpuinfo`
   * bound over it, so a test may rewrite that file in place to change one host's CPU.
   */
  cpuFlags?: string[];
}

/** `count` full servers, configured and running, with the scenario applied to each host's simulator. */
export const createFleet = async (count: number, scenario: ScenarioPatch, { ssh = false, cpuFlags }: FleetOptions = {}): Promise<Fleet> => {
  const dir = await mkdtemp(join(tmpdir(), 'nop-day2-'));
  const rec = await recommendationFor('1xRTX3090', 'mainnet');
  const names = Array.from({ length: count }, (_, i) => `gpu${i + 1}`);
  const offsets: number[] = [];
  for (const _ of names) offsets.push(await reservePortOffset());
  const hosts: FleetHost[] = await Promise.all(
    names.map(async (name, i) => {
      const offset = offsets[i];
      const sim = await preparedServer(name, join(dir, name), { portOffset: offset }, undefined, cpuFlags);
      // the roles still deploy the reference's first-edition network (Qwen3 models, no fees): issue 12 part B moves them
      writeScenario(sim.gonkaStateDir, { chain: EDITION_1_CHAIN, ...scenario });
      const url = (port: number, path: string) => `http://127.0.0.1:${port + offset}${path}`;
      return {
        name,
        sim,
        offset,
        stateDir: sim.gonkaStateDir,
        deployDir: sim.path(DEPLOY),
        url,
        vars: {
          public_ip: '203.0.113.10',
          keyring_password: 'correct-horse-battery-staple',
          account_pubkey: PUBKEY,
          key_name: `${name}-warm`,
          gpu_recommendation: rec,
          gonka_admin_url: url(9200, ''),
          gonka_api_url: url(8000, ''),
          gonka_rpc_url: url(26657, ''),
          mlnode_management_url: url(8080, ''),
          mlnode_inference_url: url(5050, ''),
          nop_lock_file: join(dir, 'nop.lock'),
        },
      };
    }),
  );
  const access: SimSshAccess[] = ssh ? await Promise.all(hosts.map((h) => sshInto(h.sim))) : [];
  access.forEach((a, i) => Object.assign(hosts[i].vars, a.vars));
  await writeFile(
    join(dir, 'inventory.yml'),
    stringify({
      all: {
        hosts: Object.fromEntries(hosts.map((h) => [h.name, h.vars])),
        children: {
          network_nodes: { hosts: Object.fromEntries(hosts.map((h) => [h.name, null])) },
          ml_nodes: { hosts: Object.fromEntries(hosts.map((h) => [h.name, null])) },
        },
      },
    }),
  );
  await writeFile(join(dir, 'config.yml'), stringify([{ hosts: 'all', gather_facts: false, roles: ['config'] }]));
  const connect = simConnect(Object.fromEntries(hosts.map((h) => [h.name, h.sim])));
  const run: Fleet['run'] = async (playbook, extraVars = {}, opts = {}) => {
    const events: RunEvent[] = [];
    const summary = await runPlaybook({
      playbook,
      inventories: [join(dir, 'inventory.yml')],
      emit: (e) => events.push(e),
      extraVars,
      forks: count,
      check: opts.check,
      limit: opts.limit,
      // over SSH nop connects as it would to any server: the inventory's address, port, key and known_hosts
      connect: ssh ? undefined : connect,
    });
    return { code: summary.code, events };
  };
  const sh = (host: FleetHost, script: string) => host.sim.sh(script);
  const cleanup = async () => {
    await Promise.all(access.map((a) => a.close()));
    await Promise.all(hosts.map((h) => h.sim.close()));
    offsets.forEach(releasePortOffset);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const configured = await run(join(dir, 'config.yml'));
    if (configured.code !== 0)
      throw new Error(`config role failed: ${JSON.stringify(configured.events.filter((e) => e.type === 'task_result' && e.status === 'failed'))}`);
    for (const h of hosts) {
      const up = await sh(
        h,
        `cd ${DEPLOY} && set -a && . ./config.env && set +a && docker compose -f docker-compose.yml up -d && docker compose -f docker-compose.mlnode.yml up -d`,
      );
      if (up.code !== 0) throw new Error(`compose up on ${h.name} failed: ${up.stderr}`);
    }
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { dir, hosts, run, connect, sh, cleanup };
};

/**
 * The ML node image the roles deploy today (data/versions.yml, through the code deploy and update use) and `count`
 * later rebuilds of its release (`-postN`, as Gonka tags them), oldest first: the targets an update moves to. Rebuilds
 * keep the release's CUDA, which the simulated hosts' driver runs (sim/gonka/services/mlnode.mjs).
 */
export const mlnodeReleases = async (count: number): Promise<{ current: string; later: string[] }> => {
  const { mlnode } = await loadVersions();
  const [, release, post] = /^(.*?)(?:-post(\d+))?$/.exec(mlnode)!;
  const later = Array.from({ length: count }, (_, i) => mlnodeImage(`${release}-post${Number(post ?? 0) + 1 + i}`, false));
  return { current: mlnodeImage(mlnode, false), later };
};

export const getJson = async (url: string): Promise<any> => {
  const res = await fetch(url);
  return res.json();
};

export { eventually } from '../../helpers/eventually.js';

export const taskResults = (events: RunEvent[]) => events.filter((e): e is Extract<RunEvent, { type: 'task_result' }> => e.type === 'task_result');

/** Each host's result of the task whose name ends with `suffix`, in host order (the hosts run in parallel). */
export const tasksEndingWith = (events: RunEvent[], suffix: string) =>
  taskResults(events)
    .filter((e) => e.task.endsWith(suffix))
    .sort((a, b) => a.host.localeCompare(b.host));

/** As tasksEndingWith, for the hosts where the task ran (its `when` held): skipped results left out. */
export const ranTasksEndingWith = (events: RunEvent[], suffix: string) => tasksEndingWith(events, suffix).filter((e) => e.status !== 'skipped');

/** What failed in a run (host, task, message), for an assertion's message. */
export const failuresOf = (res: { events: RunEvent[] }): string =>
  JSON.stringify(
    taskResults(res.events)
      .filter((e) => e.status === 'failed')
      .map((e) => [e.host, e.task, e.result.msg]),
  );

/** The lines a task reported to the operator (its `operator_report`). */
export const operatorReport = (e: { result: Record<string, unknown> }): string => ((e.result.operator_report as string[] | undefined) ?? []).join('\n');

/** A shell script on this machine. */
export const shell = (script: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', script], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
