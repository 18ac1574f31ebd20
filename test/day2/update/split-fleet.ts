// Split topology on simulated hosts: a network node (no ML nodes) and an ML-only server naming it
// (`network_node`), each with its own loopback address as private address, sharing one port offset and one clock.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runPlaybook } from '../../../lib/runner/run-playbook.js';
import type { RunEvent } from '../../../lib/runner/types.js';
import { recommendationFor } from '../../config/fixtures.js';
import { EDITION_1_CHAIN, writeScenario, type ScenarioPatch } from '../../../sim/gonka.js';
import { simConnect } from '../../../sim/host/connect.js';
import type { SimHost } from '../../../sim/host/create.js';
import { DEPLOY, PUBKEY, preparedServer } from './sim-fleet.js';
import { releasePortOffset, reservePortOffset } from '../../../sim/port-offset.js';

export interface SplitHost {
  name: string;
  sim: SimHost;
  address: string;
  stateDir: string;
  /** the deploy dir, on this machine */
  deployDir: string;
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

const compose = (file: string, args: string) =>
  `cd ${DEPLOY} && if [ -f config.env ]; then set -a; . ./config.env; set +a; fi; docker compose -f ${file} ${args}`;

export const createSplitFleet = async (scenario: ScenarioPatch): Promise<SplitFleet> => {
  const dir = await mkdtemp(join(tmpdir(), 'nop-day2-split-'));
  const rec = await recommendationFor('1xRTX3090', 'mainnet');
  const base = 10 + Math.floor(Math.random() * 200);
  const addresses = { net1: `127.0.0.${base}`, ml1: `127.0.0.${base + 1}` };
  const offset = await reservePortOffset(Object.values(addresses));
  // one simulated network: both hosts on one clock
  const clockDir = join(dir, 'clock');
  await mkdir(clockDir);
  const make = async (name: 'net1' | 'ml1'): Promise<SplitHost> => {
    const sim = await preparedServer(name, join(dir, name), { portOffset: offset, privateAddr: addresses[name] }, clockDir);
    // the roles still deploy the reference's first-edition network (Qwen3 models, no fees): issue 12 part B moves them
    writeScenario(sim.gonkaStateDir, { chain: EDITION_1_CHAIN, ...scenario });
    // no API URLs: the role's defaults (loopback of the host the call runs on) are what is under test
    const vars: Record<string, unknown> = { private_ip: addresses[name], nop_lock_file: join(dir, 'nop.lock') };
    return { name, sim, address: addresses[name], stateDir: sim.gonkaStateDir, deployDir: sim.path(DEPLOY), vars };
  };
  const [netHost, mlHost] = await Promise.all([make('net1'), make('ml1')]);
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
  const connect = simConnect({ net1: netHost.sim, ml1: mlHost.sim });
  const run: SplitFleet['run'] = async (playbook, extraVars = {}) => {
    const events: RunEvent[] = [];
    const summary = await runPlaybook({ playbook, inventories: [inventory], emit: (e) => events.push(e), extraVars, forks: 2, connect });
    return { code: summary.code, events };
  };
  const sh = (host: SplitHost, script: string) => host.sim.sh(script);
  const cleanup = async () => {
    await Promise.all([netHost.sim.close(), mlHost.sim.close()]);
    releasePortOffset(offset);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const configured = await run(join(dir, 'config.yml'));
    if (configured.code !== 0)
      throw new Error(`config role failed: ${JSON.stringify(configured.events.filter((e) => e.type === 'task_result' && e.status === 'failed'))}`);
    const mlUp = await sh(mlHost, compose('docker-compose.mlnode.yml', 'up -d'));
    if (mlUp.code !== 0) throw new Error(`compose up on ml1 failed: ${mlUp.stderr}`);
    const netUp = await sh(netHost, compose('docker-compose.yml', 'up -d'));
    if (netUp.code !== 0) throw new Error(`compose up on net1 failed: ${netUp.stderr}`);
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { dir, offset, net: netHost, ml: mlHost, run, sh, cleanup };
};
