import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlaybook } from '../../../lib/runner/run-playbook.js';
import type { RunEvent } from '../../../lib/runner/types.js';
import { TEST_USERS } from '../../helpers/sshd.js';
import { sshInto, type SimSshAccess } from '../../helpers/sim-ssh.js';
import { createSimHost, type SimHost } from '../../../sim/host/create.js';
import { startSeedApi } from '../../../sim/gonka.js';
import { keyServer, PREPARE } from './harness.js';

let dir: string;
let sim: SimHost;
let ssh: SimSshAccess;
let keys: Awaited<ReturnType<typeof keyServer>>;
let seed: Awaited<ReturnType<typeof startSeedApi>>;

beforeAll(async () => {
  keys = await keyServer();
  dir = await mkdtemp(join(tmpdir(), 'nop-prepare-ssh-'));
  sim = await createSimHost({ profile: 'fresh-2204', dir: join(dir, 'gpu1') });
  // the network's seed (another participant's public API) on the simulator's edition-2 chain
  seed = await startSeedApi(sim.gonkaStateDir);
  // the simulated server's own sshd; the operator logs in as a user with sudo, as on a real server
  ssh = await sshInto(sim, { address: '127.0.0.3', user: TEST_USERS.passwordless });
});
afterAll(async () => {
  await ssh?.close();
  await sim?.close();
  await keys?.close();
  await seed?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('prepare over SSH', () => {
  it('takes a bare 22.04 GPU server to ready through its sshd and sudo, then changes nothing', async () => {
    const inventory = join(dir, 'inventory.yml');
    await writeFile(
      inventory,
      stringify({
        all: {
          hosts: {
            gpu1: {
              ...ssh.vars,
              ansible_become: true,
              allow_reboot: true,
              preflight_ports: [],
              docker_apt_key_url: `${keys.url}/docker/gpg`,
              nvidia_container_toolkit_key_url: `${keys.url}/nvidia/gpgkey`,
              // what the operator sets to join anyway: the chain's PoC models are read through the same seed
              gonka_network_overrides: { seed_api_url: seed.url },
            },
          },
          children: { ml_nodes: { hosts: { gpu1: null } } },
        },
      }),
    );
    const run = async () => {
      const events: RunEvent[] = [];
      const summary = await runPlaybook({ playbook: PREPARE, inventories: [inventory], emit: (e) => events.push(e) });
      return { ...summary, events };
    };
    const first = await run();
    const failures = first.events.filter((e) => e.type === 'task_result' && e.status === 'failed');
    expect(failures).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.stats.gpu1.changed).toBeGreaterThan(0);
    const rec = first.events.find(
      (e) => e.type === 'task_result' && e.result.ansible_facts !== undefined && JSON.stringify(e.result).includes('gpu_recommendation'),
    );
    expect(rec).toBeDefined();
    // the driver the ML node images of the live PoC models need (CUDA 13), and the model that earns most on 8×H100 at
    // the chain's coefficients (MiniMax 4736 × 0.3024 beats GLM 1775 × 0.62 and DeepSeek 3072 × 0.246) in its CUDA 13 image
    const msg = (task: string) => first.events.flatMap((e) => (e.type === 'task_result' && e.task.endsWith(task) ? [String(e.result.msg)] : []));
    expect(msg('Kernel headers and NVIDIA driver')).toEqual([
      expect.stringMatching(/^installed .*nvidia-driver-580-server.*the ML node images of the catalog's PoC models/),
    ]);
    expect(msg('size the ML node')).toEqual([
      expect.stringMatching(
        /^8x NVIDIA H100 80GB HBM3: MiniMaxAI\/MiniMax-M2\.7 \(1432 = rate × coefficient 0\.3024 at epoch 422\), TP 4, 2 instance\(s\), ghcr\.io\/gonka-ai\/mlnode:3\.0\.16 \(driver ≥ 580\)$/,
      ),
    ]);
    const second = await run();
    expect(second.code).toBe(0);
    expect(second.stats.gpu1.changed).toBe(0);
  });
});
