import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimHost, type SimHost } from '../../sim/host/create.js';
import type { ProfileInput } from '../../sim/host/profile.js';

export interface ShellResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A simulated host in a fresh temp dir, and a way to run shell commands on it. */
export const simHost = async (profile: string | ProfileInput) => {
  const dir = await mkdtemp(join(tmpdir(), 'nop-simhost-'));
  const host: SimHost = await createSimHost({ profile, dir: join(dir, 'root') });
  const sh = (script: string, stdin?: string): ShellResult => {
    const res = spawnSync('/bin/sh', ['-c', script], { env: { ...process.env, ...host.env }, input: stdin, cwd: host.root });
    return { code: res.status ?? -1, stdout: res.stdout.toString(), stderr: res.stderr.toString() };
  };
  return { host, sh, cleanup: () => rm(dir, { recursive: true, force: true }) };
};
