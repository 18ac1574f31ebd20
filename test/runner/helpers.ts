import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runPlaybook, type RunPlaybookOptions, type RunSummary } from '../../lib/runner/run-playbook.js';
import type { RunEvent } from '../../lib/runner/types.js';

export interface Workspace {
  dir: string;
  write(rel: string, content: string): Promise<string>;
  run(playbook: string, opts?: Partial<RunPlaybookOptions>): Promise<RunSummary & { events: RunEvent[] }>;
  cleanup(): Promise<void>;
}

export const LOCAL_INVENTORY = `all:
  hosts:
    alpha: { ansible_connection: local }
    beta: { ansible_connection: local }
  children:
    gpu:
      hosts:
        alpha:
`;

/** A temp directory holding a playbook and an inventory, run in-process with events captured. */
export const workspace = async (): Promise<Workspace> => {
  const dir = await mkdtemp(join(tmpdir(), 'nop-run-'));
  const write = async (rel: string, content: string) => {
    const path = join(dir, rel);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    return path;
  };
  return {
    dir,
    write,
    run: async (playbook, opts = {}) => {
      const events: RunEvent[] = [];
      const summary = await runPlaybook({
        playbook: join(dir, playbook),
        inventories: [join(dir, 'inventory.yml')],
        emit: (e) => events.push(e),
        ...opts,
      });
      return { ...summary, events };
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
};

export const results = (events: RunEvent[]) => events.filter((e): e is Extract<RunEvent, { type: 'task_result' }> => e.type === 'task_result');
