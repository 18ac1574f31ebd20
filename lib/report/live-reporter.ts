import { Listr, type ListrTaskWrapper } from 'listr2';
import type { EventSink, RunEvent } from '../runner/types.js';
import { plainReporter } from './plain-reporter.js';
import { banner, formatRecap } from './recap.js';

type Row = ListrTaskWrapper<unknown, never, never>;

interface HostRow {
  task?: Row;
  /** settles the listr row; set once listr has started it */
  settle?: () => void;
  done: boolean;
  failed?: string;
  counts: { changed: number; ok: number };
}

export interface Reporter {
  sink: EventSink;
  /** resolves when everything is on screen */
  close(): Promise<void>;
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

  // a play's rows belong to that play: events of the next play never reach a closure of this one
  const startPlay = (name: string, hosts: string[]) => {
    const playRows = new Map(hosts.map((h) => [h, newRow()]));
    rows = playRows;
    const settleWhenDone = (host: string, task: Row) =>
      new Promise<void>((resolve, reject) => {
        const row = playRows.get(host)!;
        row.task = task;
        row.settle = () => {
          if (row.failed) return reject(new Error(`${host}: ${row.failed}`));
          task.title = `${host}: ok=${row.counts.ok} changed=${row.counts.changed}`;
          resolve();
        };
        if (row.done) row.settle();
      });
    const list = new Listr(
      hosts.map((host) => ({ title: host, task: (_ctx: unknown, task: Row) => settleWhenDone(host, task) })),
      { concurrent: true, exitOnError: false },
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
        const task = row(e.host).task;
        if (task) task.title = `${e.host}: ${e.task}`;
        return;
      }
      case 'task_progress': {
        const task = row(e.host).task;
        if (task) task.output = e.line;
        return;
      }
      case 'task_result': {
        const r = row(e.host);
        if (e.status === 'changed') r.counts.changed++;
        if (e.status === 'changed' || e.status === 'ok') r.counts.ok++;
        if ((e.status === 'failed' && !e.ignored) || e.status === 'unreachable') r.failed = `${e.task}: ${String(e.result.msg ?? e.status)}`;
        if (e.diff || e.status === 'failed' || e.status === 'unreachable' || verbose > 0) held.push(e);
        return;
      }
      case 'host_done': {
        const r = row(e.host);
        r.done = true;
        r.settle?.();
        return;
      }
      case 'warning':
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
        });
      }
      default:
        return;
    }
  };
  return { sink, close: () => drawn.then(() => undefined) };
};
