import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { filePlaybook } from '../helpers/file-play.js';
import { programCounter, type ProgramCounter } from '../helpers/program-counter.js';
import { type Workspace, workspace } from '../runner/helpers.js';

// What a no-change run costs the host is the probe: its processes, not its paths. Counted, never timed.
// The local transport's commands inherit this process's PATH: the shims come first while a test runs.
let ws: Workspace;
let counter: ProgramCounter;
const PATH = process.env.PATH;
beforeEach(async () => {
  ws = await workspace();
  counter = await programCounter();
  await ws.write('inventory.yml', 'all:\n  hosts:\n    alpha: { ansible_connection: local }\n');
  process.env.PATH = counter.path;
});
afterEach(async () => {
  process.env.PATH = PATH;
  await ws.cleanup();
  await counter.cleanup();
});

const probePrograms = async (dirs: number): Promise<string[]> => {
  await ws.write(`site${dirs}.yml`, filePlaybook(`{{ playbook_dir }}/out${dirs}`, dirs));
  const first = await ws.run(`site${dirs}.yml`);
  expect(first.stats.alpha).toMatchObject({ changed: 3 * dirs - 1, failed: 0 });
  await counter.reset();
  const again = await ws.run(`site${dirs}.yml`);
  expect(again.stats.alpha).toMatchObject({ ok: 3 * dirs - 1, changed: 0 });
  return (await counter.programs()).sort();
};

describe('the fact probe of a no-change run', () => {
  it('starts one find, however many paths it reads', async () => {
    const twenty = await probePrograms(7);
    // find: every stat, the sizes of the files to compare and read, and the writer's identity (from its own
    // /proc/self); the shell reads the small text files itself, hashed on the controller (tar reads any other)
    expect(twenty).toEqual(['find']);
    expect(await probePrograms(14)).toEqual(twenty);
  });
});
