import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimHost, type SimHost, type SimHostOptions } from '../../sim/host/create.js';
import type { ProfileInput } from '../../sim/host/profile.js';
import { PORT_FILE } from '../../sim/host/shim-server.js';

export interface ShellResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A simulated host in a fresh temp dir, and a way to run shell commands on it (synchronously, as root there). */
export const simHost = async (profile: string | ProfileInput, opts: Omit<SimHostOptions, 'profile' | 'dir'> = {}) => {
  const dir = await mkdtemp(join(tmpdir(), 'nop-simhost-'));
  const host: SimHost = await createSimHost({ ...opts, profile, dir: join(dir, 'host') });
  const sh = (script: string, stdin?: string): ShellResult => {
    const [cmd, ...args] = host.launcher;
    const res = spawnSync(cmd, [...args, '/bin/sh', '-c', script], { input: stdin });
    return { code: res.status ?? -1, stdout: res.stdout.toString(), stderr: res.stderr.toString() };
  };
  return {
    host,
    sh,
    cleanup: async () => {
      await host.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
};

/** The host's simulated state (/var/lib/nop-sim/state.json). */
export const hostState = async (host: SimHost) => JSON.parse(await readFile(host.path('/var/lib/nop-sim/state.json'), 'utf8'));

/** The parts of a host's simulated state tests set (sim/host/shims/lib/state.mjs). */
interface HostState {
  docker: { compose_hook?: string | null };
  hf?: { shard_bytes?: number; bytes_per_second?: number; interrupt_after?: number };
}

/** Change the host's simulated state (between commands: the shims lock it while they run). */
export const updateHostState = async (host: SimHost, change: (state: HostState) => void): Promise<void> => {
  const state = await hostState(host);
  change(state);
  await writeFile(host.path('/var/lib/nop-sim/state.json'), `${JSON.stringify(state, null, 2)}\n`);
};

/** What runs behind the host's `docker compose`: the Gonka simulator (default), another hook script, or nothing (null). */
export const setComposeHook = (host: SimHost, hook: string | null): Promise<void> =>
  updateHostState(host, (state) => {
    state.docker.compose_hook = hook;
  });

/** Stop the host's shim server (sim/host/shim-server.ts): its commands then run as their own processes. */
export const stopShimServer = async (host: SimHost): Promise<void> => {
  const pid = Number((await readFile(host.path(PORT_FILE), 'utf8')).split(' ')[2]);
  process.kill(pid, 'SIGKILL');
  while (existsSync(`/proc/${pid}`) && !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')));
};
