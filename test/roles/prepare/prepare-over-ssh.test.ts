import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlaybook } from '../../../lib/runner/run-playbook.js';
import type { RunEvent } from '../../../lib/runner/types.js';
import { startSshdHosts, TEST_USERS, type SshdFleet } from '../../helpers/sshd.js';
import { createSimHost } from '../../../sim/host/create.js';
import { keyServer, PREPARE } from './harness.js';

let fleet: SshdFleet;
let dir: string;
let keys: Awaited<ReturnType<typeof keyServer>>;

beforeAll(async () => {
  fleet = await startSshdHosts(1);
  keys = await keyServer();
  dir = await mkdtemp(join(tmpdir(), 'nop-prepare-ssh-'));
  await chmod(dir, 0o755); // the SSH login user must reach the simulated server below it
});
afterAll(async () => {
  await fleet?.stopAll();
  await keys?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('prepare over a real sshd host', () => {
  it('takes a bare 22.04 GPU server to ready over SSH, then changes nothing', async () => {
    const sim = await createSimHost({ profile: 'fresh-2204', dir: join(dir, 'gpu1') });
    // the simulated server is a directory the SSH login user owns, as a real server's files are its own
    await promisify(execFile)('chown', ['-R', TEST_USERS.passwordless, sim.root]);
    const h = fleet.hosts[0];
    const inventory = join(dir, 'inventory.yml');
    await writeFile(
      inventory,
      stringify({
        all: {
          hosts: {
            gpu1: {
              ...sim.inventoryVars,
              ansible_connection: 'ssh',
              ansible_host: h.address,
              ansible_port: h.port,
              ansible_user: TEST_USERS.passwordless,
              ansible_ssh_private_key_file: fleet.clientKey,
              allow_reboot: true,
              preflight_ports: [],
              docker_apt_key_url: `${keys.url}/docker/gpg`,
              nvidia_container_toolkit_key_url: `${keys.url}/nvidia/gpgkey`,
            },
          },
          children: { ml_nodes: { hosts: { gpu1: null } } },
        },
      }),
    );
    const run = async () => {
      const events: RunEvent[] = [];
      const summary = await runPlaybook({
        playbook: PREPARE,
        inventories: [inventory],
        emit: (e) => events.push(e),
        connectOptions: { knownHostsPath: fleet.knownHostsPath },
      });
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
    const second = await run();
    expect(second.code).toBe(0);
    expect(second.stats.gpu1.changed).toBe(0);
  });
});
