import { spawn } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../lib/runner/paths.js';

// `nop demo --keep` leaves the simulated server running and prints how to reach it; day-2 commands reach it from
// other processes (over SSH, as a real server); `nop demo --stop` removes it. Runs the compiled bin, as users do.

const NOP = join(packageRoot, 'bin', 'nop.js');
const env = { ...process.env, CI: '1' };

const nop = (args: string[], cwd: string) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [NOP, ...args], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

describe.skipIf(process.getuid?.() !== 0)('nop demo --keep and --stop (root: the kept server is reached over SSH)', () => {
  let cwd: string;
  let keeper: ReturnType<typeof spawn> | undefined;
  afterAll(async () => {
    if (keeper && keeper.exitCode === null) keeper.kill('SIGTERM');
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  it('keeps the server for status and ml-node from other processes, then --stop removes it', async () => {
    cwd = await mkdtemp(join(tmpdir(), 'nop-demo-keep-'));
    // nothing kept yet: nothing to stop is an error, not success
    const none = await nop(['demo', '--stop'], cwd);
    expect(none.stderr).toMatch(/ERROR! no kept demo server to stop/);
    expect(none.code).toBe(1);

    keeper = spawn(process.execPath, [NOP, 'demo', '--keep'], { cwd, env });
    let out = '';
    keeper.stdout?.on('data', (d) => (out += d));
    keeper.stderr?.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => keeper!.once('exit', (code) => resolve(code)));
    // the keeper prints the day-2 commands once the server is set up and reachable; or it exits (a failure)
    await Promise.race([
      new Promise<void>((resolve) => keeper!.stdout?.on('data', () => out.includes('npx nop demo --stop') && resolve())),
      exited.then((code) => {
        throw new Error(`the demo exited (${code}) before keeping the server:\n${out}`);
      }),
    ]);
    const inventory = join('.nop', 'demo-server', 'inventory.yml');
    expect(out).toContain(`npx nop status -i ${inventory}`);
    expect(out).toContain(`npx nop ml-node list -i ${inventory} -l gonka-demo`);

    const status = await nop(['status', '-i', inventory], cwd);
    expect(status.stdout).toMatch(/^gonka-demo\s+(OK|WARN)\s+\d+/m);
    expect(status.code).toBe(0);
    const mlNodes = await nop(['ml-node', 'list', '-i', inventory, '-l', 'gonka-demo'], cwd);
    expect(mlNodes.stdout).toMatch(/gonka-demo-node1\s+INFERENCE\s+yes/);
    expect(mlNodes.code).toBe(0);
    // a second keeper would fight over the same inventory
    const second = await nop(['demo', '--keep'], cwd);
    expect(second.stderr).toMatch(/a kept demo server is already running \(process \d+\)/);
    expect(second.code).toBe(1);

    const stop = await nop(['demo', '--stop'], cwd);
    expect(stop.stdout).toMatch(/The simulated server is stopped and removed/);
    expect(stop.code).toBe(0);
    expect(await exited).toBe(0);
    expect(await exists(join(cwd, '.nop', 'demo-server'))).toBe(false);
    // the server is gone: its inventory with it, so status has nothing to reach
    expect((await nop(['status', '-i', inventory], cwd)).code).toBe(1);
  });
});
