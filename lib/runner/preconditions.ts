import type pLimit from 'p-limit';
import type { ReaderRequest } from '../facts/fact-store.js';
import { readerOf } from '../facts/fact.js';
import { isSetByRun, roleVarFields } from '../roles/role-vars.js';
import { condition } from '../template/expression.js';
import { UnreachableError } from '../transport/transport.js';
import {
  becomeFor,
  isSelected,
  preconditionContext,
  roleVarsFor,
  roleVarsProblems,
  taskName,
  taskVars,
  type PlayContext,
  type RunContext,
} from './execute-task.js';
import type { HostRun } from './host-run.js';
import { lookahead } from './lookahead.js';
import { RunError } from './run-error.js';
import type { PlaySpec, RoleInstance, TaskSpec } from './types.js';

/** A play and the hosts it runs on (its implicit fact gathering included in its tasks). */
export interface PlayTargets {
  play: PlaySpec;
  hosts: HostRun[];
}

/** One thing that keeps a host from taking the playbook, found before anything changed: which check says what. */
export interface Problem {
  host: string;
  /** the check: `preflight : Free disk space…`, or `config : variables` */
  check: string;
  message: string;
  unreachable?: boolean;
}

export const problemLine = (p: Problem): string => `${p.host}: ${p.check}: ${p.message}`;

/**
 * The run lacks a value it cannot ask for (a vars_prompt without a terminal): every problem found, the hosts' too,
 * in one message; exit 1 as Ansible's for a run that cannot start.
 */
export class PreconditionsFailed extends RunError {
  constructor(readonly problems: string[]) {
    super(
      `nothing was changed on any host: ${problems.length} problem${problems.length === 1 ? '' : 's'} found before the first change (fix them all, then run again):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'PreconditionsFailed';
  }
}

const flatten = (tasks: readonly TaskSpec[]): TaskSpec[] =>
  tasks.flatMap((t) => (t.block ? flatten([...t.block, ...(t.rescue ?? []), ...(t.always ?? [])]) : [t]));

const playContext = (play: PlaySpec, hosts: HostRun[]): PlayContext => ({
  play,
  hosts: hosts.map((h) => h.name),
  once: new Map(),
  aborted: () => false,
  playEnded: false,
  endedHosts: new Set(),
});

/**
 * Whether the task runs on this host as far as can be told before the run: selected by the tags, and its conditions
 * (a role reference's `when`) hold. A condition that names what only the run will know cannot be told: not checked.
 */
const applies = (host: HostRun, task: TaskSpec, run: RunContext, pc: PlayContext): boolean => {
  if (!isSelected(task, run)) return false;
  try {
    const vars = taskVars(host, pc.play, task, run, pc);
    return [...(task.inheritedWhen ?? []), ...(task.when === undefined ? [] : [task.when])].every((c) => condition(c as string, vars));
  } catch {
    return false;
  }
};

// one task per role instance that runs on the host: its variables are those every task of the role sees
const roleRepresentatives = (host: HostRun, play: PlaySpec, run: RunContext, pc: PlayContext): TaskSpec[] => {
  const seen = new Set<RoleInstance>();
  const out: TaskSpec[] = [];
  for (const task of [...(play.preconditions ?? []), ...flatten(play.sections.flat())]) {
    const role = task.role;
    if (!role?.schema || seen.has(role) || !applies(host, task, run, pc)) continue;
    seen.add(role);
    out.push(task);
  }
  return out;
};

const varsProblems = (host: HostRun, task: TaskSpec, run: RunContext, pc: PlayContext): Problem[] => {
  const fields = roleVarFields(task.role!.schema!);
  const vars = taskVars(host, pc.play, task, run, pc);
  const check = `${task.role!.name} : variables`;
  return roleVarsProblems(task, vars, (name) => isSetByRun(fields[name])).map((p) => ({ host: host.name, check, message: `role '${task.role!.name}': ${p}` }));
};

const requestsOf = (host: HostRun, task: TaskSpec, run: RunContext, pc: PlayContext): ReaderRequest[] => {
  if (task.action?.kind !== 'code') return [];
  const vars = taskVars(host, pc.play, task, run, pc);
  const become = becomeFor(task, pc.play, vars, run);
  return (task.action.facts?.(roleVarsFor(task, vars)) ?? []).map((r) => ({ ...r, become }));
};

/** Every request, in one batch per reader (the login user, or a become user): one round trip for most hosts. */
const readInOneBatch = async (host: HostRun, requests: ReaderRequest[], run: RunContext): Promise<void> => {
  const conn = await run.connect(host.name);
  const byReader = new Map<string, ReaderRequest[]>();
  for (const r of requests) byReader.set(readerOf(r.become), [...(byReader.get(readerOf(r.become)) ?? []), r]);
  const reads = [...byReader.values()].map((list) => conn.facts.reader(list[0].become).readAll(list));
  // a fact that cannot be read fails the check that needs it, below; one only the plays need is read again there
  const settled = await Promise.allSettled(reads);
  const lost = settled.find((s) => s.status === 'rejected' && s.reason instanceof UnreachableError);
  if (lost) throw (lost as PromiseRejectedResult).reason;
};

const evaluate = async (host: HostRun, task: TaskSpec, run: RunContext, pc: PlayContext): Promise<Problem | undefined> => {
  if (task.action?.kind !== 'code') return undefined;
  const { ctx, typed } = await preconditionContext(host, task, run, pc);
  const problem = (message: string): Problem => ({ host: host.name, check: taskName(task), message });
  try {
    const result = await task.action.run(ctx, typed());
    return result.failed ? problem(String(result.msg ?? 'failed')) : undefined;
  } catch (e) {
    if (e instanceof UnreachableError) throw e;
    return problem(e instanceof Error ? e.message : String(e));
  }
};

const hostProblems = async (host: HostRun, targets: PlayTargets[], run: RunContext): Promise<Problem[]> => {
  const mine = targets.filter((t) => t.hosts.includes(host)).map((t) => ({ ...t, pc: playContext(t.play, t.hosts) }));
  const problems: Problem[] = [];
  const checks: { task: TaskSpec; pc: PlayContext }[] = [];
  for (const { play, pc } of mine) {
    for (const task of roleRepresentatives(host, play, run, pc)) problems.push(...varsProblems(host, task, run, pc));
    for (const task of play.preconditions ?? []) if (applies(host, task, run, pc)) checks.push({ task, pc });
  }
  // a role whose variables are wrong cannot say what its checks read: those wait until the variables are fixed
  const runnable = checks.filter(({ task, pc }) => roleVarsProblems(task, taskVars(host, pc.play, task, run, pc)).length === 0);
  const wanted = runnable.flatMap(({ task, pc }) => requestsOf(host, task, run, pc));
  const first = mine.find((t) => t.play.sections.some((s) => s.length > 0));
  // the first play's own facts come in the same batch: the plays read nothing twice. Without a check that reads
  // facts there is no batch: connecting says the host is reachable, and the play reads its facts when it needs them
  const upcoming = first && wanted.length ? lookahead(host, flatten(first.play.sections.flat()), run, first.pc)() : [];
  try {
    if (wanted.length) await readInOneBatch(host, [...wanted, ...upcoming], run);
    else await run.connect(host.name);
    for (const { task, pc } of runnable) {
      const problem = await evaluate(host, task, run, pc);
      if (problem) problems.push(problem);
    }
  } catch (e) {
    return [...problems, { host: host.name, check: 'reach the host', message: e instanceof Error ? e.message : String(e), unreachable: true }];
  }
  // a role in two plays is checked once
  return problems.filter((p, i) => problems.findIndex((q) => problemLine(q) === problemLine(p)) === i);
};

/**
 * Everything that can be checked before a change, for every host of every play, before the first play applies
 * anything (check mode included): each role's variables, each role's preconditions (read-only, over declared facts,
 * read in one batch with the first play's facts, which stay cached for it), and that the host can be reached.
 * Returns every problem, host by host.
 */
export const preconditionProblems = async (targets: PlayTargets[], run: RunContext, limit: ReturnType<typeof pLimit>): Promise<Problem[]> => {
  const hosts = [...new Set(targets.flatMap((t) => t.hosts))];
  const perHost = await Promise.all(hosts.map((h) => limit(() => hostProblems(h, targets, run))));
  return perHost.flat();
};
