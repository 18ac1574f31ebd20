import { isDeepStrictEqual } from 'node:util';
import { COMPARED_RETURNS, valueAt } from './returns.js';
import { RUNS, type RunName, type RunRecord, type TaskRecord } from './types.js';

/** One value that is not the same under nop as under Ansible. */
export interface Difference {
  run: RunName;
  /** the task's position and name, or undefined for the run as a whole (exit code, recap, files, probes) */
  task?: string;
  key: string;
  ansible: unknown;
  nop: unknown;
}

const taskLabel = (i: number, t: TaskRecord) => `#${i + 1} ${t.name}`;

const compareTask = (run: RunName, i: number, want: TaskRecord, got: TaskRecord | undefined): Difference[] => {
  const label = taskLabel(i, want);
  if (!got) return [{ run, task: label, key: 'task', ansible: want.name, nop: undefined }];
  const out: Difference[] = [];
  if (want.name !== got.name) out.push({ run, task: label, key: 'name', ansible: want.name, nop: got.name });
  if (want.status !== got.status) out.push({ run, task: label, key: 'status', ansible: want.status, nop: got.status });
  const keys = COMPARED_RETURNS[want.module] ?? [];
  const loop = Array.isArray(want.result.results);
  const pairs: [Record<string, unknown>, Record<string, unknown>, string][] = loop
    ? (want.result.results as Record<string, unknown>[]).map((r, j) => [
        r,
        ((got.result.results as Record<string, unknown>[] | undefined) ?? [])[j] ?? {},
        `results[${j}].`,
      ])
    : [[want.result, got.result, '']];
  for (const [a, n, prefix] of pairs) {
    for (const key of keys) {
      const expected = valueAt(a, key);
      if (expected === undefined) continue;
      const actual = valueAt(n, key);
      if (!isDeepStrictEqual(expected, actual)) out.push({ run, task: label, key: `${prefix}${key}`, ansible: expected, nop: actual });
    }
  }
  return out;
};

const compareRun = (run: RunName, want: RunRecord, got: RunRecord): Difference[] => {
  const out: Difference[] = [];
  if (want.exit_code !== got.exit_code) out.push({ run, key: 'exit_code', ansible: want.exit_code, nop: got.exit_code });
  if (!isDeepStrictEqual(want.recap, got.recap)) out.push({ run, key: 'recap', ansible: want.recap, nop: got.recap });
  want.tasks.forEach((t, i) => out.push(...compareTask(run, i, t, got.tasks[i])));
  if (got.tasks.length > want.tasks.length) out.push({ run, key: 'tasks', ansible: want.tasks.length, nop: got.tasks.length });
  for (const path of new Set([...Object.keys(want.files), ...Object.keys(got.files)])) {
    if (!isDeepStrictEqual(want.files[path], got.files[path])) out.push({ run, key: `file ${path}`, ansible: want.files[path], nop: got.files[path] });
  }
  for (const [name, value] of Object.entries(want.probes)) {
    if (value !== got.probes[name]) out.push({ run, key: `probe ${name}`, ansible: value, nop: got.probes[name] });
  }
  return out;
};

/** Every difference between Ansible's recorded runs and nop's. */
export const compareRuns = (want: Record<RunName, RunRecord>, got: Record<RunName, RunRecord>): Difference[] =>
  RUNS.flatMap((run) => compareRun(run, want[run], got[run]));

/** A difference the project knows and accepts, with the reason (it becomes the README's "differs" column). */
export interface KnownDifference {
  case: string;
  /** which runs (all when absent) */
  runs?: readonly RunName[];
  /** the task's name (any task when absent) */
  task?: string;
  /** the compared key (`status`, `msg`, `file /etc/x`, `probe users`, `recap`…) */
  key: string;
  /** the module it is about, for the compatibility table */
  module: string;
  why: string;
}

const covers = (k: KnownDifference, caseName: string, d: Difference): boolean =>
  k.case === caseName &&
  (k.runs === undefined || k.runs.includes(d.run)) &&
  (k.task === undefined || d.task?.endsWith(` ${k.task}`) === true) &&
  d.key === k.key;

export interface Verdict {
  /** differences no known difference explains: the suite fails on them */
  unexplained: Difference[];
  /** known differences of this case that explained nothing: stale, the suite fails on them too */
  stale: KnownDifference[];
}

export const judge = (caseName: string, differences: Difference[], known: readonly KnownDifference[]): Verdict => {
  const mine = known.filter((k) => k.case === caseName);
  return {
    unexplained: differences.filter((d) => !mine.some((k) => covers(k, caseName, d))),
    stale: mine.filter((k) => !differences.some((d) => covers(k, caseName, d))),
  };
};
