// Split topology on simulated hosts: a network node (no ML nodes) and an ML-only server naming it
// (`network_node`), each with its own loopback address as private address, sharing one port offset.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { runPlaybook } from '../../../lib/runner/run-playbook.js';
import type { RunEvent } from '../../../lib/runner/types.js';
import { recommendationFor } from '../../config/fixtures.js';
import { writeScenario } from '../../../sim/gonka/scenario.mjs';
import type { Scenario } from '../../../sim/gonka/scenario.d.mts';
import { createSimHost, type SimHost } from '../../../sim/host/create.js';
import type { ProfileInput } from '../../../sim/host/profile.js';
import { PUBKEY, shell } from './sim-fleet.js';
import { reservePortOffset } from '../../helpers/port-offset.js';

export interface SplitHost {
  name: string;
  sim: SimHost;
  address: string;
  stateDir: string;
  vars: Record<string, unknown>;
}

export interface SplitFleet {
  dir: string;
  offset: number;
  net: SplitHost;
  ml: SplitHost;
  run(playbook: string, extraVars?: Record<string, unknown>): Promise<{ code: number; events: RunEvent[] }>;
  sh(host: SplitHost, script: string): Promise<{ code: number; stdout: string; stderr: string }>;
  cleanup(): Promise<void>;
}

const MODEL_DIR = 'hub/models--Qwen--Qwen3-32B-FP8';
const compose = (deploy: string, file: string, args: string) =>
  `cd '${deploy}' && if [ -f config.env ]; then set -a; . ./config.env; set +a; fi; docker compose -f ${file} ${args}`;

export const createSplitFleet = async (scenario: Partial<Scenario>): Promise<SplitFleet> => {
  const dir = await mkdtemp(join(tmpdir(), 'nop-day2-split-'));
  const profile = parse(await readFile(join(import.meta.dirname, '../../../sim/host/profiles/rtx3090-1x.yaml'), 'utf8')) as ProfileInput & {
    packages: { name: string }[];
  };
  const rec = await recommendationFor('1xRTX3090', 'mainnet');
  const base = 10 + Math.floor(Math.random() * 200);
  const addresses = { net1: `127.0.0.${base}`, ml1: `127.0.0.${base + 1}` };
  const offset = await reservePortOffset(Object.values(addresses));
  const make = async (name: 'net1' | 'ml1'): Promise<SplitHost> => {
    const sim = await createSimHost({
      dir: join(dir, name),
      profile: {
        ...profile,
        hostname: name,
        packages: [...profile.packages, { name: 'docker-ce' }, { name: 'docker-compose-plugin' }, { name: 'nvidia-container-toolkit' }],
      },
    });
    await writeFile(join(sim.root, 'etc/docker/daemon.json'), JSON.stringify({ runtimes: { nvidia: { path: 'nvidia-container-runtime', args: [] } } }));
    await shell('systemctl restart docker', sim.env);
    const stateDir = join(sim.root, 'var/lib/nop-sim/docker');
    writeScenario(stateDir, scenario);
    await mkdir(join(sim.inventoryVars.hf_home, MODEL_DIR), { recursive: true });
    const env = { ...sim.env, NOP_SIM_PORT_OFFSET: String(offset), NOP_SIM_PRIVATE_ADDR: addresses[name] };
    // no API URLs: the role's defaults (loopback of the host the call runs on) are what is under test
    const vars: Record<string, unknown> = { ...sim.inventoryVars, nop_env: env, private_ip: addresses[name], nop_lock_file: join(dir, 'nop.lock') };
    return { name, sim, address: addresses[name], stateDir, vars };
  };
  const netHost = await make('net1');
  const mlHost = await make('ml1');
  Object.assign(netHost.vars, { public_ip: '203.0.113.10', keyring_password: 'correct-horse-battery-staple', account_pubkey: PUBKEY, key_name: 'net1-warm' });
  Object.assign(mlHost.vars, { network_node: 'net1', gpu_recommendation: rec });
  const inventory = join(dir, 'inventory.yml');
  await writeFile(
    inventory,
    stringify({
      all: { hosts: { net1: netHost.vars, ml1: mlHost.vars }, children: { network_nodes: { hosts: { net1: null } }, ml_nodes: { hosts: { ml1: null } } } },
    }),
  );
  await writeFile(join(dir, 'config.yml'), stringify([{ hosts: 'all', gather_facts: false, roles: ['config'] }]));
  const run: SplitFleet['run'] = async (playbook, extraVars = {}) => {
    const events: RunEvent[] = [];
    const summary = await runPlaybook({ playbook, inventories: [inventory], emit: (e) => events.push(e), extraVars, forks: 2 });
    return { code: summary.code, events };
  };
  const sh = (host: SplitHost, script: string) => shell(script, host.vars.nop_env as Record<string, string>);
  const cleanup = async () => {
    await sh(mlHost, compose(String(mlHost.vars.gonka_deploy_dir), 'docker-compose.mlnode.yml', 'down'));
    await sh(netHost, compose(String(netHost.vars.gonka_deploy_dir), 'docker-compose.yml', 'down'));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const configured = await run(join(dir, 'config.yml'));
    if (configured.code !== 0)
      throw new Error(`config role failed: ${JSON.stringify(configured.events.filter((e) => e.type === 'task_result' && e.status === 'failed'))}`);
    const mlUp = await sh(mlHost, compose(String(mlHost.vars.gonka_deploy_dir), 'docker-compose.mlnode.yml', 'up -d'));
    if (mlUp.code !== 0) throw new Error(`compose up on ml1 failed: ${mlUp.stderr}`);
    const netUp = await sh(netHost, compose(String(netHost.vars.gonka_deploy_dir), 'docker-compose.yml', 'up -d'));
    if (netUp.code !== 0) throw new Error(`compose up on net1 failed: ${netUp.stderr}`);
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { dir, offset, net: netHost, ml: mlHost, run, sh, cleanup };
};
