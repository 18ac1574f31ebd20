import { createServer, type Server } from 'node:http';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runPlaybook } from '../../../lib/runner/run-playbook.js';
import { packageRoot } from '../../../lib/runner/paths.js';
import type { RunEvent } from '../../../lib/runner/types.js';
import { simConnect } from '../../../sim/host/connect.js';
import { createSimHost, type SimHost } from '../../../sim/host/create.js';

export const PREPARE = join(packageRoot, 'playbooks', 'prepare.yml');

/** A loopback server standing in for download.docker.com and nvidia.github.io (their signing keys). */
export const keyServer = async (): Promise<{ url: string; close: () => Promise<void> }> => {
  const server: Server = createServer((_req, res) => res.end('-----BEGIN PGP PUBLIC KEY BLOCK-----\nsimulated\n-----END PGP PUBLIC KEY BLOCK-----\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
};

export interface SimFleetHost {
  profile: string;
  groups?: string[];
  vars?: Record<string, unknown>;
}

export interface SimFleet {
  dir: string;
  hosts: Record<string, SimHost>;
  run(opts?: { check?: boolean; limit?: string }): Promise<{ code: number; stats: Record<string, { changed: number; failed: number }>; events: RunEvent[] }>;
  cleanup(): Promise<void>;
}

/** Simulated hosts (one per profile, built in parallel) in one inventory, so one playbook run converges them all. */
export const simFleet = async (hosts: Record<string, SimFleetHost>, keysUrl: string, common: Record<string, unknown> = {}): Promise<SimFleet> => {
  const dir = await mkdtemp(join(tmpdir(), 'nop-prepare-'));
  const sims: Record<string, SimHost> = Object.fromEntries(
    await Promise.all(Object.entries(hosts).map(async ([name, h]) => [name, await createSimHost({ profile: h.profile, dir: join(dir, name) })] as const)),
  );
  const inventoryHosts: Record<string, unknown> = {};
  const groups: Record<string, { hosts: Record<string, null> }> = {};
  for (const [name, h] of Object.entries(hosts)) {
    inventoryHosts[name] = {
      docker_apt_key_url: `${keysUrl}/docker/gpg`,
      nvidia_container_toolkit_key_url: `${keysUrl}/nvidia/gpgkey`,
      ...common,
      ...h.vars,
    };
    for (const g of h.groups ?? []) {
      groups[g] ??= { hosts: {} };
      groups[g].hosts[name] = null;
    }
  }
  const inventory = join(dir, 'inventory.yml');
  await writeFile(inventory, stringify({ all: { hosts: inventoryHosts, children: groups } }));
  return {
    dir,
    hosts: sims,
    run: async (opts = {}) => {
      const events: RunEvent[] = [];
      const summary = await runPlaybook({
        playbook: PREPARE,
        inventories: [inventory],
        emit: (e) => events.push(e),
        forks: 4,
        connect: simConnect(sims),
        ...opts,
      });
      return { ...summary, events };
    },
    cleanup: async () => {
      await Promise.all(Object.values(sims).map((s) => s.close()));
      await rm(dir, { recursive: true, force: true });
    },
  };
};

/** Every file under a host's directory (all it wrote) with its content (or link target), to prove check mode changed nothing. */
export const snapshot = async (root: string): Promise<Record<string, string>> => {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out[p.slice(root.length)] = `${(await stat(p)).mode.toString(8)} ${await readFile(p, 'utf8')}`;
      else out[p.slice(root.length)] = 'link';
    }
  };
  await walk(root);
  return out;
};

export const failures = (events: RunEvent[], host: string): string[] =>
  events
    .filter((e): e is Extract<RunEvent, { type: 'task_result' }> => e.type === 'task_result')
    .filter((e) => e.host === host && e.status === 'failed')
    .map((e) => `${e.task}: ${String(e.result.msg ?? '')}`);
