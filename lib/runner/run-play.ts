import type pLimit from 'p-limit';
import { isSelected, reachedStart, runsAhead, runTask, taskName, taskVars, type PlayContext, type TaskOutcome, type RunContext } from './execute-task.js';
import type { HostRun } from './host-run.js';
import { lookahead } from './lookahead.js';
import type { Failure, Replay } from './run-ahead.js';
import { includedBlocks, includeResolver, isDynamicInclude } from './run-include.js';
import { condition } from '../template/expression.js';
import type { PlaySpec, TaskSpec } from './types.js';
import { SpeculationFailed } from './write-behind.js';

type Limiter = ReturnType<typeof pLimit>;

// A block's keywords apply to the tasks inside it.
const inheritBlock = (block: TaskSpec, tasks: TaskSpec[] | undefined): TaskSpec[] =>
  (tasks ?? []).map((t) => ({
    ...t,
    tags: [...new Set([...(t.tags ?? []), ...(block.tags ?? [])])],
    inheritedWhen: [...(block.inheritedWhen ?? []), ...(block.when === undefined ? [] : [block.when]), ...(t.inheritedWhen ?? [])],
    become: t.become ?? block.become,
    become_user: t.become_user ?? block.become_user,
    environment: block.environment || t.environment ? { ...(block.environment ?? {}), ...(t.environment ?? {}) } : undefined,
    vars: block.vars || t.vars ? { ...(block.vars ?? {}), ...(t.vars ?? {}) } : undefined,
    ignore_errors: t.ignore_errors ?? block.ignore_errors,
    no_log: t.no_log ?? block.no_log,
    role: t.role ?? block.role,
  }));

/** Whether the host goes on after a task: an unreachable host or an unignored failure stops it. */
const carriesOn = (host: HostRun, outcome: TaskOutcome): boolean => {
  if (outcome.status === 'unreachable') return false;
  if (!outcome.fatal) return true;
  host.status = 'failed';
  return false;
};

// --step: a task the operator declines is not run on any host of the batch, and counts nowhere (as in Ansible)
const stepAllows = (task: TaskSpec, run: RunContext, pc: PlayContext): Promise<boolean> | boolean => (run.step ? run.step(task, taskName(task), pc) : true);

/**
 * Run tasks in order on one host; false when the host must stop (failed, unreachable, or the play was aborted).
 * `later`: the play's tasks after these, whose facts are read ahead with these tasks' facts.
 * Tasks may run ahead of the changes they hold (run-ahead.ts): those are confirmed before a task that may not run
 * ahead, before a block, and before the host stops or the list ends; a failed one sends the run back to its task.
 */
const runTasks = async (host: HostRun, tasks: readonly TaskSpec[], run: RunContext, pc: PlayContext, later: readonly TaskSpec[]): Promise<boolean> => {
  let i = 0;
  // set after a held change failed: task i runs again, up to the failure (run-ahead.ts)
  let replay: Replay | undefined;
  const rolledBack = (failure: Failure | undefined): boolean => {
    if (!failure || !host.ahead) return false;
    replay = host.ahead.rollBack(failure, host, run.operatorActions);
    i = failure.record.index;
    return true;
  };
  for (;;) {
    const task = tasks[i] as TaskSpec | undefined;
    // a task sent back to by a failed change had started: it finishes with its failure whatever happened since
    const stopping = task === undefined || (!replay && (pc.aborted() || run.aborted() || host.status !== 'ok' || hasEnded(host, pc)));
    const ahead = host.ahead;
    if (ahead && (stopping || task.block || isDynamicInclude(task) || !runsAhead(task, run, pc) || ahead.failed()) && rolledBack(await ahead.confirm()))
      continue;
    if (stopping) return task === undefined;
    const rest = [...tasks.slice(i + 1), ...later];
    host.upcoming = lookahead(host, [task, ...rest], run, pc);
    if (task.block) {
      if (!(await runBlock(host, task, run, pc, rest))) return false;
      i++;
      continue;
    }
    if (task.meta) {
      if (isSelected(task, run) && reachedStart(host, task, run) && !(await runMeta(host, task, run, pc))) return false;
      i++;
      continue;
    }
    if (isDynamicInclude(task)) {
      if (!(await runInclude(host, task, run, pc, rest))) return false;
      i++;
      continue;
    }
    const again = replay;
    replay = undefined;
    if (!again && (!isSelected(task, run) || !reachedStart(host, task, run) || !(await stepAllows(task, run, pc)))) {
      i++;
      continue;
    }
    let outcome: TaskOutcome;
    try {
      outcome = await runTask(host, task, run, pc, runsAhead(task, run, pc) ? { index: i, replay: again } : undefined);
    } catch (e) {
      if (e instanceof SpeculationFailed && rolledBack(await host.ahead?.confirm())) continue;
      throw e;
    }
    host.ahead?.settle();
    // a failure that stops the host counts once what ran before it is confirmed: an earlier failure comes first
    if (!carriesOn(host, outcome)) {
      if (rolledBack(await host.ahead?.confirm())) continue;
      return false;
    }
    i++;
  }
};

// include_tasks/include_role: the include runs as a task (counted ok, as in Ansible), then what it loaded, item by item
const runInclude = async (host: HostRun, task: TaskSpec, run: RunContext, pc: PlayContext, later: readonly TaskSpec[]): Promise<boolean> => {
  if (!isSelected(task, run)) return true;
  const outcome = await runTask(host, includeResolver(task, pc.play), run, pc);
  if (!carriesOn(host, outcome)) return false;
  // as ansible-playbook counts: include_tasks is ok once per item ("included: … => (item=a)"), include_role not at all
  const items = (outcome.result.results as { skipped?: boolean }[] | undefined)?.filter((r) => !r.skipped).length ?? 1;
  if (outcome.status === 'ok') host.stats.ok += task.include?.kind === 'include_role' ? -1 : items - 1;
  for (const block of includedBlocks(task, outcome.result)) if (!(await runBlock(host, block, run, pc, later))) return false;
  return true;
};

const hasEnded = (host: HostRun, pc: PlayContext): boolean => pc.playEnded || pc.endedHosts.has(host.name);

/**
 * A `meta:` task; false when the host's play is over. As ansible-playbook: one whose `when` is false is shown
 * skipped but counted nowhere, and the others are shown not at all.
 */
const runMeta = async (host: HostRun, task: TaskSpec, run: RunContext, pc: PlayContext): Promise<boolean> => {
  if (task.meta === 'flush_handlers') return flushHandlers(host, pc.play, run, pc);
  const vars = taskVars(host, pc.play, task, run, pc);
  const conditions = [...(task.inheritedWhen ?? []), ...(task.when === undefined ? [] : [task.when])];
  if (!conditions.every((c) => condition(c as string, vars))) {
    const msg = `${task.meta} conditional evaluated to false, continuing execution for ${host.name}`;
    run.emit({ type: 'task_start', host: host.name, task: taskName(task) });
    run.emit({
      type: 'task_result',
      host: host.name,
      task: taskName(task),
      status: 'skipped',
      result: { changed: false, skipped: true, msg, skip_reason: msg },
    });
    return true;
  }
  if (task.meta === 'end_host') pc.endedHosts.add(host.name);
  if (task.meta === 'end_play') pc.playEnded = true;
  // Ansible empties every play host's cache at once; nop's hosts do not run in step, so each host empties its own
  // when it reaches the task (the same whenever the task runs on every host, as it does without a `when`)
  if (task.meta === 'clear_facts') forgetFacts(host);
  return !hasEnded(host, pc);
};

const forgetFacts = (host: HostRun): void => {
  for (const k of host.cachedFacts) delete host.runtimeVars[k];
  host.cachedFacts.clear();
};

const runBlock = async (host: HostRun, block: TaskSpec, run: RunContext, pc: PlayContext, later: readonly TaskSpec[]): Promise<boolean> => {
  const always = inheritBlock(block, block.always);
  const ok = await runTasks(host, inheritBlock(block, block.block), run, pc, [...always, ...later]);
  let survived = ok;
  if (!ok && host.status === 'failed' && block.rescue?.length) {
    // a rescued failure is not a failure: the host carries on, as in Ansible
    host.status = 'ok';
    host.stats.failed--;
    host.stats.rescued++;
    survived = await runTasks(host, inheritBlock(block, block.rescue), run, pc, [...always, ...later]);
  }
  if (host.status === 'unreachable' || hasEnded(host, pc)) return false;
  if (always.length) {
    const status = host.status;
    host.status = 'ok';
    const alwaysOk = await runTasks(host, always, run, pc, later);
    if (status !== 'ok') host.status = status;
    survived = survived && alwaysOk;
  }
  return survived;
};

const handlerMatches = (handler: TaskSpec, notified: Set<string>): boolean =>
  [handler.name, handler.name && handler.role ? `${handler.role.name} : ${handler.name}` : undefined, ...(handler.listen ?? [])].some(
    (n) => n !== undefined && notified.has(n),
  );

// Handler names are one namespace, as in Ansible: of handlers with the same name only the last defined runs
// (a role used twice brings its handlers twice). `listen` topics are not names: every listener runs.
const shadowed = (handlers: readonly TaskSpec[], i: number): boolean =>
  handlers[i].name !== undefined && handlers.slice(i + 1).some((h) => h.name === handlers[i].name);

/** Notified handlers run once, in the order they are defined, not the order they were notified. */
const flushHandlers = async (host: HostRun, play: PlaySpec, run: RunContext, pc: PlayContext): Promise<boolean> => {
  if (hasEnded(host, pc)) return false;
  if (host.notified.size === 0 || host.status !== 'ok') return host.status === 'ok';
  const due = play.handlers.filter((h, i) => handlerMatches(h, host.notified) && !shadowed(play.handlers, i));
  host.notified.clear();
  for (const handler of due) {
    if (!(await stepAllows(handler, run, pc))) continue;
    if (!carriesOn(host, await runTask(host, { ...handler, tags: undefined }, run, pc))) return false;
  }
  return true;
};

const runHostPlay = async (host: HostRun, play: PlaySpec, run: RunContext, pc: PlayContext): Promise<void> => {
  for (const [i, section] of play.sections.entries()) {
    if (!(await runTasks(host, section, run, pc, play.sections.slice(i + 1).flat()))) break;
    if (!(await flushHandlers(host, play, run, pc))) break;
  }
  // a play ended by meta runs none of the handlers still notified, as in Ansible
  if (hasEnded(host, pc)) host.notified.clear();
  run.emit({ type: 'host_done', host: host.name });
};

/** Split hosts into rolling batches (`serial: 2`, `"25%"`, or a list whose last entry repeats). */
export const serialBatches = <T>(hosts: readonly T[], serial: PlaySpec['serial']): T[][] => {
  if (serial === undefined) return hosts.length ? [[...hosts]] : [];
  const sizes = Array.isArray(serial) ? serial : [serial];
  const sizeOf = (s: number | string) => (typeof s === 'number' ? s : Math.max(1, Math.floor((hosts.length * Number.parseFloat(s)) / 100)));
  const batches: T[][] = [];
  for (let i = 0, n = 0; i < hosts.length; n++) {
    const size = sizeOf(sizes[Math.min(n, sizes.length - 1)]);
    batches.push(hosts.slice(i, i + size));
    i += size;
  }
  return batches;
};

export type PlayEnd = 'continue' | 'stop';

/** Run a play over its hosts, batch by batch; 'stop' ends the playbook (any_errors_fatal, max_fail_percentage, all failed). */
export const runPlay = async (play: PlaySpec, hosts: HostRun[], run: RunContext, limit: Limiter): Promise<PlayEnd> => {
  for (const batch of serialBatches(hosts, play.serial)) {
    let abort = false;
    const failedNow = () => batch.filter((h) => h.status !== 'ok').length;
    const tooMany = () =>
      (play.any_errors_fatal === true && failedNow() > 0) ||
      (play.max_fail_percentage !== undefined && (failedNow() * 100) / batch.length > play.max_fail_percentage);
    const pc: PlayContext = {
      play,
      hosts: batch.map((h) => h.name),
      once: new Map(),
      playEnded: false,
      endedHosts: new Set(),
      aborted: () => {
        abort ||= tooMany();
        return abort;
      },
    };
    await Promise.all(batch.map((host) => limit(() => runHostPlay(host, play, run, pc))));
    if (pc.playEnded) return 'continue';
    if (failedNow() === batch.length) {
      run.emit({ type: 'warning', message: `NO MORE HOSTS LEFT in play "${play.name ?? play.hosts}"` });
      return 'stop';
    }
    if (tooMany()) {
      const why = play.any_errors_fatal ? 'any_errors_fatal' : `max_fail_percentage ${play.max_fail_percentage}% exceeded`;
      run.emit({ type: 'warning', message: `stopping play "${play.name ?? play.hosts}": ${why}` });
      return 'stop';
    }
  }
  return 'continue';
};
