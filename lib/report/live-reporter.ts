import { Listr, type ListrTaskWrapper } from 'listr2';
import type { EventSink, RunEvent } from '../runner/types.js';
import { plainReporter } from './plain-reporter.js';
import { banner, formatRecap } from './recap.js';

interface HostRow {
  task?: ListrTaskWrapper<unknown, never, never>;
  done: () => void;
  /** the host finished before listr started its row */
  finished?: boolean;
  failed?: string;
  counts: { changed: number; ok: number };
}

export interface Reporter {
  sink: EventSink;
  /** resolves when everything is on screen */
  close(): Promise<void>;
}

/**
 * On a terminal: one live row per host (current task, progress line, then ✔/✖ with counts),
 * failures and diffs printed in full under the rows once a play ends.
 */
export const liveReporter = (write: (s: string) => void, verbose = 0): Reporter => {
  let rows = new Map<string, HostRow>();
  let pending: Promise<unknown> = Promise.resolve();
  let held: RunEvent[] = [];
  const plain = plainReporter(write, verbose);

  const startPlay = (name: string, hosts: string[]) => {
    rows = new Map();
    held = [];
    const list = new Listr(
      hosts.map((host) => ({
        title: host,
        task: (_ctx: unknown, task: ListrTaskWrapper<unknown, never, never>) =>
          new Promise<void>((resolve, reject) => {
            const row: HostRow = rows.get(host) ?? { done: () => undefined, counts: { changed: 0, ok: 0 } };
            row.task = task;
            row.done = () => {
              const summary = `${host}: ok=${row.counts.ok} changed=${row.counts.changed}`;
              if (row.failed) reject(new Error(`${host}: ${row.failed}`));
              else {
                task.title = summary;
                resolve();
              }
            };
            rows.set(host, row);
            if (row.finished) row.done();
          }),
      })),
      { concurrent: true, exitOnError: false },
    );
    write(`\n${banner(`PLAY [${name}]`)}\n`);
    pending = list.run().catch(() => undefined);
  };

  const row = (host: string): HostRow => {
    const existing = rows.get(host);
    if (existing) return existing;
    const created: HostRow = { done: () => undefined, counts: { changed: 0, ok: 0 } };
    rows.set(host, created);
    return created;
  };

  const sink: EventSink = (e) => {
    switch (e.type) {
      case 'play_start':
        return startPlay(e.name, e.hosts);
      case 'task_start': {
        const r = row(e.host);
        if (r.task) r.task.title = `${e.host}: ${e.task}`;
        return;
      }
      case 'task_progress': {
        const r = row(e.host);
        if (r.task) r.task.output = e.line;
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
        r.finished = true;
        return r.done();
      }
      case 'play_end':
      case 'warning':
        held.push(e);
        return;
      case 'recap':
        pending = pending.then(() => {
          for (const h of held) plain(h);
          held = [];
          write(`\n${formatRecap(e.stats)}`);
          if (e.retryFile) write(`to retry, use: --limit @${e.retryFile}\n`);
        });
        return;
      default:
        return;
    }
  };
  return {
    sink: (e) => {
      if (e.type === 'play_end') {
        const events = held;
        pending = pending.then(() => {
          for (const h of events) if (h.type !== 'play_end') plain(h);
        });
        held = [];
        return;
      }
      sink(e);
    },
    close: () => pending.then(() => undefined),
  };
};
