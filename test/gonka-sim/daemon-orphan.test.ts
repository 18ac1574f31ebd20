// A project daemon whose host disappeared under it (its test killed outright, the directories removed) exits by
// itself: an orphan would tick on missing files, holding a core for the rest of the machine's life.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';

const DAEMON = join(import.meta.dirname, '../../sim/gonka/daemon.mjs');

it('exits once its project directory is gone, and not before', async () => {
  const root = await mkdtemp(join(tmpdir(), 'nop-daemon-'));
  const dir = join(root, 'project');
  const stateDir = join(root, 'state');
  await mkdir(dir);
  await mkdir(stateDir);
  await writeFile(join(dir, 'project.json'), JSON.stringify({ services: {}, generation: 1 }));
  const child = spawn(process.execPath, [DAEMON, dir, stateDir], { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    // alive and ticking: it wrote its runtime file for generation 1
    await eventually(
      async () => JSON.parse(await readFile(join(dir, 'runtime.json'), 'utf8')).appliedGeneration,
      (g) => g === 1,
      'the daemon to apply its project',
    );
    expect(child.exitCode).toBeNull();
    await rm(dir, { recursive: true, force: true });
    expect(await exited).toBe(0);
  } finally {
    child.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
  }
});
