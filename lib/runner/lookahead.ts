import type { ReaderRequest } from '../facts/fact-store.js';
import { parseConverted } from '../modules/converted-args.js';
import { condition } from '../template/expression.js';
import { withoutOmitted } from '../template/omit.js';
import { renderValue } from '../template/render.js';
import { loopItems } from './loops.js';
import { becomeFor, isSelected, itemVars, roleVarsFor, taskVars, type PlayContext, type RunContext } from './execute-task.js';
import type { HostRun } from './host-run.js';
import type { RoleInstance, TaskSpec } from './types.js';

type Vars = Record<string, unknown>;

// a block's always-tasks run whatever happens; its rescue only after a failure, when the facts are read anyway
const flatten = (tasks: readonly TaskSpec[]): TaskSpec[] => tasks.flatMap((t) => (t.block ? flatten([...t.block, ...(t.always ?? [])]) : [t]));

const argsOf = (task: TaskSpec, vars: Vars): unknown => {
  const action = task.action;
  if (action?.kind !== 'module') return undefined;
  return action.argsFn ? action.argsFn(roleVarsFor(task, vars)) : withoutOmitted(renderValue(action.args, vars));
};

const requestsFor = (host: HostRun, task: TaskSpec, vars: Vars) => {
  const action = task.action;
  if (action?.kind === 'code') return action.facts?.(roleVarsFor(task, vars)) ?? [];
  if (action?.kind !== 'module' || !action.module.facts) return [];
  const args = argsOf(task, vars);
  const parsed = parseConverted(action.module.args, args);
  if (!parsed.success) return [];
  const requests = action.module.facts(parsed.data);
  // kept for the task after the module said what it reads: that is all the lookahead does with the arguments
  host.parsedAhead.put(action.module.args, args, parsed.data);
  return requests;
};

// a `when` that holds or cannot be told yet (it names a result still to come) may run the task
const mayRun = (task: TaskSpec, vars: Vars): boolean =>
  [...(task.inheritedWhen ?? []), ...(task.when === undefined ? [] : [task.when])].every((c) => {
    try {
      return condition(c as string, vars);
    } catch {
      return true;
    }
  });

/**
 * The variables of the coming tasks, as one read ahead sees them: a task's scope differs from the next one's only by
 * its role and its own `vars`, so tasks with no `vars` of their own share their role's (built once, not per task).
 */
interface ScopeMemo {
  of(task: TaskSpec): Vars;
}

const scopeMemo = (host: HostRun, run: RunContext, pc: PlayContext): ScopeMemo => {
  const byRole = new Map<RoleInstance | undefined, Vars>();
  return {
    of: (task) => {
      if (task.vars !== undefined) return taskVars(host, pc.play, task, run, pc);
      let vars = byRole.get(task.role);
      if (!vars) {
        vars = taskVars(host, pc.play, task, run, pc);
        byRole.set(task.role, vars);
      }
      return vars;
    },
  };
};

/**
 * The facts a task will read, as far as they can be known now: a task whose arguments depend on a result
 * not registered yet, or whose `when` is already false (a role a play gives to some groups only), contributes nothing.
 */
const taskRequests = (host: HostRun, task: TaskSpec, run: RunContext, pc: PlayContext, scopes: ScopeMemo): ReaderRequest[] => {
  if (!isSelected(task, run) || task.delegate_to) return [];
  try {
    const vars = scopes.of(task);
    if (!mayRun(task, vars)) return [];
    // a role task delegated elsewhere reads another host's facts; one that stays here (undefined) reads these
    if (task.delegateFn?.(roleVarsFor(task, vars)) !== undefined) return [];
    const become = becomeFor(task, pc.play, vars, run);
    const items = loopItems(task, vars);
    const itemScopes = items === undefined ? [vars] : items.map((item, i) => itemVars(task, vars, item, i, items));
    return itemScopes.flatMap((scope) => requestsFor(host, task, scope).map((r) => ({ ...r, become })));
  } catch {
    return [];
  }
};

/**
 * The design's speed path: when a task misses a fact, the facts of every task still to come in the play are read
 * in the same round trip, so a play that changes nothing costs one remote command per host.
 */
export const lookahead =
  (host: HostRun, upcoming: readonly TaskSpec[], run: RunContext, pc: PlayContext): (() => ReaderRequest[]) =>
  () => {
    // what an earlier read ahead parsed and no task took is forgotten: these are the arguments as they render now
    host.parsedAhead.clear();
    // flattened when asked (on a miss), not each time a task starts: most tasks' lookahead is never read
    const scopes = scopeMemo(host, run, pc);
    return flatten(upcoming).flatMap((t) => taskRequests(host, t, run, pc, scopes));
  };
