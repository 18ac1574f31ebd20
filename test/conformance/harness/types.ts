/** What a conformance run records, the same for Ansible (the fixture) and nop (the test). */

export type Status = 'ok' | 'changed' | 'failed' | 'skipped';

export interface TaskRecord {
  name: string;
  /** the module, as Ansible resolved it (short name: `sysctl`, not `ansible.posix.sysctl`) */
  module: string;
  status: Status;
  /** the task's return values, pruned of what never compares (invocation, timings, diffs) and normalized */
  result: Record<string, unknown>;
}

export interface Recap {
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  unreachable: number;
  rescued: number;
  ignored: number;
}

/** A path the case watches: what it is after the run (absent, or its type, mode, owner, group and content hash). */
export interface FileRecord {
  type: 'file' | 'directory' | 'link' | 'other' | 'absent';
  mode?: string;
  owner?: string;
  group?: string;
  sha256?: string;
  target?: string;
}

export interface RunRecord {
  exit_code: number;
  recap: Recap;
  tasks: TaskRecord[];
  files: Record<string, FileRecord>;
  probes: Record<string, string>;
}

export const RUNS = ['check', 'first', 'second'] as const;
export type RunName = (typeof RUNS)[number];

export interface Fixture {
  case: string;
  description: string;
  recorded_with: string;
  /** what was normalized before recording, and why (temp paths, timestamps) */
  normalized: string[];
  runs: Record<RunName, RunRecord>;
}
