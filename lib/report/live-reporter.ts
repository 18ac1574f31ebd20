import { Listr, type ListrTaskWrapper } from 'listr2';
import { operatorActionsOf } from '../runner/operator-actions.js';
import { operatorReportOf } from '../runner/operator-report.js';
import type { EventSink, RunEvent } from '../runner/types.js';
import { actionSummary } from './operator-actions.js';
import { plainReporter } from './plain-reporter.js';
import { banner, formatRecap } from './recap.js';

type Row = ListrTaskWrapper<unknown, never, never>;

interface HostRow {
  task?: Row;
  /** the current task and progress line, kept for a row that listr has not started drawing yet */
  title?: string;
  output?: string;
  /** settles the listr row; set once listr has started it */
  settle?: () => void;
  done: boolean;
  failed?: string;
  counts: { changed: number; ok: number };
}

export interface Reporter {
  sink: EventSink;
  /** resolves when everything so far is on screen and nothing is being drawn: the terminal is free for a question */
  idle(): Promise<void>;
  /** resolves when everything is on screen */
  close(): Promise<void>;
  /** Ctrl-C was pressed: say so where the operator is looking (the live rows), not only on stderr */
  stopping?(): void;
}

const newRow = (): HostRow => ({ done: false, counts: { changed: 0, ok: 0 } });

/**
 * On a terminal: one live row per host (current task, progress line, then ✔/✖ with counts), one list per
 * play, drawn after the previous play's list has finished; failures, diffs and warnings printed in full under
 * the rows once a play ends.
 */
export const liveReporter = (write: (s: string) => void, verbose = 0): Reporter => {
  const plain = plainReporter(write, verbose);
  let rows = new Map<string, HostRow>();
  let held: RunEvent[] = [];
  let drawn: Promise<unknown> = Promise.resolve();
  let stopping = false;
  const STOPPING = ' (interrupted: stopping after this task)';
  const titled = (title: string) => (stopping ? `${title}${STOPPING}` : title);

  // a play's rows belong to that play: events of the next play never reach a closure of this one
  const startPlay = (name: string, hosts: string[]) => {
    const playRows = new Map(hosts.map((h) => [h, newRow()]));
    rows = playRows;
    const settleWhenDone = (host: string, task: Row) =>
      new Promise<void>((resolve, reject) => {
        const row = playRows.get(host)!;
        row.task = task;
        if (row.title) task.title = titled(row.title);
        if (row.output) task.output = row.output;
        row.settle = () => {
          if (row.failed) return reject(new Error(`${host}: ${row.failed}`));
          task.title = `${host}: ok=${row.counts.ok} changed=${row.counts.changed}`;
          resolve();
        };
        if (row.done) row.settle();
      });
    // listr's own Ctrl-C handler would exit at once (127): the run's handler lets running tasks finish instead
    const list = new Listr(
      hosts.map((host) => ({ title: host, task: (_ctx: unknown, task: Row) => settleWhenDone(host, task) })),
      { concurrent: true, exitOnError: false, registerSignalListeners: false },
    );
    drawn = drawn.then(() => {
      write(`\n${banner(`PLAY [${name}]`)}\n`);
      return list.run().catch(() => undefined);
    });
  };

  const row = (host: string): HostRow => rows.get(host) ?? rows.set(host, newRow()).get(host)!;

  const after = (print: () => void) => {
    drawn = drawn.then(print);
  };

  const sink: EventSink = (e) => {
    switch (e.type) {
      case 'play_start':
        return startPlay(e.name, e.hosts);
      case 'task_start': {
        const r = row(e.host);
        r.title = `${e.host}: ${e.task}`;
        // the previous task's progress line is not this task's
        r.output = '';
        if (r.task) {
          r.task.title = titled(r.title);
          r.task.output = r.output;
        }
        return;
      }
      case 'task_progress': {
        const r = row(e.host);
        r.output = e.line;
        if (r.task) r.task.output = e.line;
        return;
      }
      case 'task_result': {
        const r = row(e.host);
        if (e.status === 'changed') r.counts.changed++;
        if (e.status === 'changed' || e.status === 'ok') r.counts.ok++;
        if ((e.status === 'failed' && !e.ignored) || e.status === 'unreachable') r.failed = `${e.task}: ${String(e.result.msg ?? e.status)}`;
        const actions = operatorActionsOf(e.result).length > 0 || operatorReportOf(e.result).length > 0;
        if (e.diff || actions || e.status === 'failed' || e.status === 'unreachable' || verbose > 0) held.push(e);
        return;
      }
      case 'host_done': {
        const r = row(e.host);
        r.done = true;
        r.settle?.();
        return;
      }
      case 'warning':
      case 'verbose':
        held.push(e);
        return;
      case 'play_end': {
        const events = held;
        held = [];
        return after(() => events.forEach(plain));
      }
      case 'recap': {
        const events = held;
        held = [];
        return after(() => {
          events.forEach(plain);
          write(`\n${formatRecap(e.stats)}`);
          if (e.retryFile) write(`to retry, use: --limit @${e.retryFile}\n`);
          if (e.operatorActions.length) write(`\n${actionSummary(e.operatorActions)}`);
        });
      }
      default:
        return;
    }
  };
  const settled = () => drawn.then(() => undefined);
  const markStopping = () => {
    stopping = true;
    for (const r of rows.values()) if (r.task && !r.done && r.title) r.task.title = titled(r.title);
  };
  return { sink, idle: settled, close: settled, stopping: markStopping };
};
