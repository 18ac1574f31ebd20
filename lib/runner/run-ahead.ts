import type { ModuleResult } from '../modules/module.js';
import type { HostRun } from './host-run.js';
import type { EventSink, HostStats, RunEvent } from './types.js';
import type { WriteBehind } from './write-behind.js';

/**
 * A host's tasks may run ahead of their changes: a task whose changes are only success or failure holds them (the
 * write-behind) and the next tasks plan and run meanwhile, so a play's changes reach the host in one round trip.
 * Until those changes are confirmed, the tasks after them are provisional: their events wait here, and each task
 * keeps what is needed to undo it. When a held change fails, the host goes back to the failed step exactly as if
 * every task had run one by one: the steps before it are reported done, the step gets the failure, and nothing
 * after it has run (its held changes never left; what it did in memory is undone).
 */

/** One step of a task (the task, or one item of its loop): where its events start and what it returned. */
interface StepMark {
  seq: number;
  actions: number;
  result?: ModuleResult;
}

/** A task that ran while changes were unconfirmed, or that held some. */
export interface TaskRecord {
  /** the task's place in the list being run */
  index: number;
  before: HostSnapshot;
  steps: StepMark[];
}

/** What the write-behind attributes a held change to. */
export interface Step {
  record: TaskRecord;
  item: number;
}

interface HostSnapshot {
  runtimeVars: Record<string, unknown>;
  stats: HostStats;
  notified: Set<string>;
  status: HostRun['status'];
  started: boolean;
}

/** How the failed task runs again: the steps before the failure keep their results, the failed one gets its error. */
export interface Replay {
  results: ModuleResult[];
  failedAt: number;
  error: Error;
}

export interface Failure {
  record: TaskRecord;
  item: number;
  error: Error;
}

export interface RunAhead {
  writeBehind: WriteBehind;
  /** the host's events: out at once when nothing is unconfirmed, held back otherwise */
  emit: EventSink;
  /** a task that may run ahead starts (before it changes anything); `index`: its place in the list being run */
  begin(index: number, host: HostRun): TaskRecord;
  /** a step starts: the token its held changes carry */
  step(record: TaskRecord, item: number, actions: number): Step;
  /** after a task: once nothing is unconfirmed, what waited goes out and nothing needs undoing any more */
  settle(): void;
  /** a held change failed: the tasks since must be undone before anything else runs */
  failed(): boolean;
  /** send everything held; a failure found now or earlier */
  confirm(): Promise<Failure | undefined>;
  /** put the host back to the failed step; returns how the failed task is run again */
  rollBack(failure: Failure, host: HostRun, operatorActions: unknown[]): Replay;
}

const snapshot = (host: HostRun): HostSnapshot => ({
  runtimeVars: { ...host.runtimeVars },
  stats: { ...host.stats },
  notified: new Set(host.notified),
  status: host.status,
  started: host.started,
});

const restore = (host: HostRun, s: HostSnapshot) => {
  host.runtimeVars = { ...s.runtimeVars };
  host.stats = { ...s.stats };
  host.notified = new Set(s.notified);
  host.status = s.status;
  host.started = s.started;
};

export const runAhead = (writeBehind: WriteBehind, sink: EventSink, forgetFacts: () => void): RunAhead => {
  let seq = 0;
  let waiting: { seq: number; event: RunEvent }[] = [];
  let records: TaskRecord[] = [];
  let failed: Failure | undefined;

  const release = (before = Number.POSITIVE_INFINITY) => {
    const out = waiting.filter((w) => w.seq < before);
    waiting = [];
    for (const w of out) sink(w.event);
  };
  const provisional = () => writeBehind.unconfirmed() || failed !== undefined;

  const takeFailure = (): Failure | undefined => {
    if (failed) return failed;
    const f = writeBehind.takeFailure();
    if (!f) return undefined;
    const { record, item } = f.step as Step;
    failed = { record, item, error: f.error };
    return failed;
  };

  return {
    writeBehind,
    emit: (event) => {
      seq++;
      if (provisional() || waiting.length) waiting.push({ seq, event });
      else sink(event);
    },
    begin: (index, host) => {
      const record: TaskRecord = { index, before: snapshot(host), steps: [] };
      records.push(record);
      return record;
    },
    step: (record, item, actions) => {
      record.steps[item] = { seq: seq + 1, actions };
      return { record, item };
    },
    settle: () => {
      takeFailure();
      if (provisional()) return;
      release();
      records = [];
    },
    failed: () => takeFailure() !== undefined,
    confirm: async () => {
      await writeBehind.flush();
      const failure = takeFailure();
      if (failure) return failure;
      release();
      records = [];
      return undefined;
    },
    rollBack: (failure, host, operatorActions) => {
      const { record, item, error } = failure;
      const mark = record.steps[item];
      restore(host, record.before);
      operatorActions.length = mark.actions;
      // the steps before the failure are done and shown; the failed step and everything after never happened
      release(mark.seq);
      seq = mark.seq - 1;
      records = [];
      failed = undefined;
      writeBehind.takeFailure();
      forgetFacts();
      const results = record.steps.slice(0, item).map((s) => s.result as ModuleResult);
      return { results, failedAt: item, error };
    },
  };
};
