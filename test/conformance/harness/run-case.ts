import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSandboxHost, type SandboxHost } from '../../helpers/sandbox-host.js';
import type { ConformanceCase } from './case.js';
import { normalizeValue, type Paths } from './normalize.js';
import { runProbes, snapshotFiles } from './snapshot.js';
import { RUNS, type Recap, type RunName, type RunRecord, type TaskRecord } from './types.js';

/** What a tool's run of a playbook gives back, before the sandbox is inspected. */
export interface ToolRun {
  exit_code: number;
  recap: Recap;
  tasks: TaskRecord[];
}

export interface RunSpec {
  host: SandboxHost;
  playbook: string;
  inventory: string;
  extraVars: Record<string, unknown>;
  check: boolean;
}

export type Tool = (spec: RunSpec) => Promise<ToolRun>;

/** The one host every case runs against, reached locally (inside the sandbox). */
const INVENTORY = `all:
  hosts:
    target:
      ansible_connection: local
      ansible_python_interpreter: /usr/bin/python3
`;

/**
 * A case, as both tools run it: a fresh sandbox, the case's setup, then a check-mode run (on the untouched
 * host: what would change), a first run and a second run (which must change nothing); after each, the
 * watched files and the probes. Everything is normalized (normalize.ts) before it is returned.
 */
export const runCase = async (c: ConformanceCase, tool: Tool): Promise<Record<RunName, RunRecord>> => {
  const out = await mkdtemp(join(tmpdir(), 'nop-conformance-'));
  const host = await createSandboxHost();
  const paths: Paths = { out, caseDir: c.dir };
  try {
    const inventory = join(out, 'inventory.yml');
    await writeFile(inventory, INVENTORY);
    if (c.setup) {
      const res = await host.sh(`export CASE_DIR=${JSON.stringify(c.dir)} OUT_DIR=${JSON.stringify(out)}\n${c.setup}`);
      if (res.code !== 0) throw new Error(`case ${c.name}: setup failed (${res.code}): ${res.stderr}`);
    }
    const runs = {} as Record<RunName, RunRecord>;
    for (const run of RUNS) {
      const result = await tool({ host, playbook: c.playbook, inventory, extraVars: { out_dir: out }, check: run === 'check' });
      const record: RunRecord = { ...result, files: await snapshotFiles(host, c.files), probes: await runProbes(host, c.probes) };
      runs[run] = normalizeValue(record, paths) as RunRecord;
    }
    return runs;
  } finally {
    await host.close();
    await rm(out, { recursive: true, force: true });
  }
};
