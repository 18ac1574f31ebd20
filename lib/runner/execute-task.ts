import { parseConverted } from '../modules/converted-args.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { createModuleContext } from '../modules/context.js';
import { describeIssue } from '../text/issue-message.js';
import type { ModuleContext, ModuleResult } from '../modules/module.js';
import { runModule } from '../modules/run-module.js';
import { parseBoolean } from '../template/boolean.js';
import { overlayVars } from '../template/overlay.js';
import { renderValue } from '../template/render.js';
import type { Become } from '../transport/transport.js';
import { UnreachableError } from '../transport/transport.js';
import { condition } from '../template/expression.js';
import type { Connection, HostRun } from './host-run.js';
import { runAhead, type Replay, type TaskRecord } from './run-ahead.js';
import { SpeculationFailed } from './write-behind.js';
import { extendVars, lazyVars } from './lazy-vars.js';
import { loopItems, loopVarsOf } from './loops.js';
import { packageRoot } from './paths.js';
import { OPERATOR_ACTIONS, operatorActionsOf, type OperatorAction } from './operator-actions.js';
import type { ParsedAhead } from './parsed-ahead.js';
import { longestFirst, redact, secretValues } from './redact.js';
import { knownSecrets } from '../template/known-secrets.js';
import { OMIT, withoutOmitted } from '../template/omit.js';
import { matchesStartAt } from './start-at-task.js';
import type { StepGate } from './step.js';
import { selectedByTags, type TagFilter } from './tags.js';
import type { EventSink, PlaySpec, RoleInstance, RunEvent, TaskSpec, TaskStatus } from './types.js';
import { renderDiffs } from './unified-diff.js';

/** What one run shares with every task it executes. */
export interface RunContext {
  check: boolean;
  diff: boolean;
  verbose: number;
  extraVars: Record<string, unknown>;
  tags: TagFilter;
  startAtTask?: string;
  becomePassword?: string;
  playbookDir: string;
  emit: EventSink;
  connect(host: string): Promise<Connection>;
  /** drop the host's connection and open a new one (after a reboot); later connects return the new one */
  reconnect(host: string): Promise<Connection>;
  /** the variables of another inventory host (`hostvars`, `delegate_to`) */
  hostVars(host: string): Record<string, unknown>;
  groups: () => Record<string, string[]>;
  /** the user interrupted the run: stop between tasks */
  aborted(): boolean;
  /** variables whose values are secret whatever their names (private vars_prompt answers) */
  secretNames: Set<string>;
  /** -b, --become-user, -u, -c: what applies where neither the playbook nor the inventory says */
  defaults: RunDefaults;
  /** --step: asks before each task */
  step?: StepGate;
  /** what the operator must do by hand, collected from every task's result for the summary after the recap */
  operatorActions: OperatorAction[];
}

/** Command-line settings with the lowest precedence, as in Ansible: a playbook keyword or a host variable wins. */
export interface RunDefaults {
  become?: boolean;
  becomeUser?: string;
  remoteUser?: string;
  connection?: 'local' | 'ssh';
}

/** State of one play's current batch, shared by its hosts. */
export interface PlayContext {
  play: PlaySpec;
  hosts: string[];
  /** run_once results, keyed by task */
  once: Map<TaskSpec, Promise<TaskOutcome>>;
  /** any_errors_fatal or max_fail_percentage stopped the play */
  aborted: () => boolean;
  /** `meta: end_play` was reached: every host stops, failing none, and the play's later batches do not run */
  playEnded: boolean;
  /** hosts that reached `meta: end_host`: their play is over, failing none */
  endedHosts: Set<string>;
}

export interface TaskOutcome {
  status: TaskStatus;
  result: ModuleResult;
  /** a failure that stops the host (not ignored) */
  fatal?: boolean;
  /** ignore_errors held for this task */
  ignored?: boolean;
}

const NO_LOG_MSG = "the output has been hidden due to the fact that 'no_log: true' was specified for this result";

export const taskName = (task: TaskSpec): string => {
  const base =
    task.name ??
    (task.action?.kind === 'module' ? task.action.module.name : task.include ? task.include.kind : task.meta ? 'meta' : task.block ? 'block' : 'task');
  return task.role ? `${task.role.name} : ${base}` : base;
};

export const becomeFor = (task: TaskSpec, play: PlaySpec, vars: Record<string, unknown>, run: RunContext): Become | undefined => {
  const { defaults } = run;
  const on = task.become ?? play.become ?? (vars.ansible_become === undefined ? defaults.become : parseBoolean(vars.ansible_become, 'ansible_become'));
  if (!on) return undefined;
  const user = task.become_user ?? play.become_user ?? (vars.ansible_become_user as string | undefined) ?? defaults.becomeUser ?? 'root';
  const local = (vars.ansible_connection ?? defaults.connection) === 'local';
  const login = local ? userInfo().username : ((vars.ansible_user as string | undefined) ?? defaults.remoteUser);
  if (login === user) return undefined;
  const password = (vars.ansible_become_password ?? vars.ansible_become_pass ?? run.becomePassword) as string | undefined;
  return { user, password };
};

const envFor = (task: TaskSpec, play: PlaySpec, vars: Record<string, unknown>): Record<string, string> => {
  const layers = [play.environment, task.environment].map((l) => (l ? renderValue(l, vars) : {}));
  return Object.fromEntries(Object.entries(Object.assign({}, ...layers) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
};

// `hostvars` and `groups` are computed when read and never enumerated (a dump of the variables leaves them out):
// getters of a prototype every task scope of the run shares. Defined on each scope instead, they cost as much as
// building it (twice per task and host: the read ahead, the task) and slowed every later lookup in it.
const magicVars = new WeakMap<RunContext, object>();
const MAGIC_NAMES = ['hostvars', 'groups'];

// a host's variables by its name (a delegate_to target outside the inventory too); its own properties, which a
// template's `hostvars['web1'].x` and a loop over hostvars read, are the inventory's hosts, as in Ansible
const hostvarsOf = (run: RunContext): object => {
  const vars = (h: string) => lazyVars(run.hostVars(h));
  const inventory = () => run.groups().all ?? [];
  const listed = (h: string | symbol): h is string => typeof h === 'string' && inventory().includes(h);
  return new Proxy(
    {},
    {
      get: (_t, h) => (typeof h === 'string' ? vars(h) : undefined),
      has: () => true,
      ownKeys: () => [...inventory()],
      getOwnPropertyDescriptor: (_t, h) => (listed(h) ? { value: vars(h), enumerable: true, configurable: true, writable: false } : undefined),
    },
  );
};

const magicVarsOf = (run: RunContext): object => {
  let proto = magicVars.get(run);
  if (!proto) {
    proto = Object.create(Object.prototype, {
      hostvars: { get: () => hostvarsOf(run) },
      groups: { get: () => run.groups() },
    }) as object;
    magicVars.set(run, proto);
  }
  return proto;
};

/** Variables a task sees, lowest first: role defaults, inventory (merged in Ansible's order), play vars, vars_files, role params, task vars, set_fact/registered, extra vars. */
export const taskVars = (host: HostRun, play: PlaySpec, task: TaskSpec, run: RunContext, pc: PlayContext): Record<string, unknown> => {
  const role: RoleInstance | undefined = task.role;
  const raw: Record<string, unknown> = {
    __proto__: magicVarsOf(run),
    ...(role?.defaults ?? {}),
    ...host.inventoryVars,
    ...(play.vars ?? {}),
    ...play.fileVars,
    ...(role?.params ?? {}),
    ...(task.vars ?? {}),
    ...host.runtimeVars,
    ...run.extraVars,
    inventory_hostname: host.name,
    inventory_hostname_short: host.name.split('.')[0],
    ansible_play_hosts: pc.hosts,
    play_hosts: pc.hosts,
    ansible_check_mode: run.check,
    ansible_diff_mode: run.diff,
    playbook_dir: run.playbookDir,
    omit: OMIT,
    role_name: role?.name,
    role_path: role?.dir,
  };
  // a variable of the same name never hides them (rare: only then is the scope changed after it was built)
  for (const name of MAGIC_NAMES) if (Object.hasOwn(raw, name)) delete raw[name];
  return lazyVars(raw);
};

/**
 * A task's variables, and the role's typed view of them, parsed once however many keywords read it
 * (delegation, conditions, arguments).
 */
interface Scope {
  vars: Record<string, unknown>;
  typed(): Record<string, unknown>;
  /** the host's module arguments as the lookahead parsed them */
  parsedAhead: ParsedAhead;
}

const scopeOf = (host: HostRun, task: TaskSpec, vars: Record<string, unknown>): Scope => {
  let typed: Record<string, unknown> | undefined;
  return { vars, typed: () => (typed ??= roleVarsFor(task, vars)), parsedAhead: host.parsedAhead };
};

/**
 * What is wrong with a role's variables, one line per problem: `variable 'private_ip': is required and missing`.
 * `ignore`: variables not to ask for (the check before the run skips those set only once the run reaches them).
 */
export const roleVarsProblems = (task: TaskSpec, vars: Record<string, unknown>, ignore: (name: string) => boolean = () => false): string[] => {
  const res = task.role?.schema ? parseConverted(task.role.schema, vars) : undefined;
  if (!res || res.success) return [];
  return res.error.issues
    .filter((issue) => issue.path.length === 0 || !ignore(String(issue.path[0])))
    .map((issue) => {
      const words = describeIssue(issue, vars);
      return `variable '${words.path.map(String).join('.')}': ${words.message}`;
    });
};

export const roleVarsFor = (task: TaskSpec, vars: Record<string, unknown>): Record<string, unknown> => {
  const schema = task.role?.schema;
  if (!schema) return vars;
  const res = parseConverted(schema, vars);
  if (res.success) return overlayVars(vars, res.data as Record<string, unknown>);
  // every problem at once: an operator fixes the inventory once, not once per run
  throw new Error(`role '${task.role!.name}': ${roleVarsProblems(task, vars).join('; ')}`);
};

const runAction = async (task: TaskSpec, ctx: ModuleContext, scope: Scope): Promise<ModuleResult> => {
  const action = task.action!;
  if (action.kind === 'module' && ctx.check && action.module.noCheckMode)
    return { changed: false, skipped: true, msg: `remote module (${action.module.noCheckMode.ansibleName}) does not support check mode` };
  if (action.kind === 'module')
    return runModule(
      action.module,
      action.argsFn ? action.argsFn(scope.typed()) : withoutOmitted(renderValue(action.args, scope.vars)),
      ctx,
      scope.parsedAhead,
    );
  const typed = scope.typed();
  await ctx.facts.readAll(action.facts?.(typed) ?? []);
  let result: ModuleResult | undefined;
  try {
    result = await action.run(ctx, typed);
    return result;
  } finally {
    // what the code says it may change (anything, when it does not say), once it changed something or threw
    if (!ctx.check && (result === undefined || result.changed)) ctx.facts.invalidate(action.invalidates);
  }
};

const applyConditions = (task: TaskSpec, result: ModuleResult, vars: Record<string, unknown>): ModuleResult => {
  const scope = overlayVars(vars, task.register ? { [task.register]: result, result } : { result });
  const out = { ...result };
  if (task.changed_when !== undefined) out.changed = condition(task.changed_when as string, scope);
  if (task.failed_when !== undefined) {
    out.failed = condition(task.failed_when as string, scope);
    if (!out.failed) delete out.msg;
  }
  return out;
};

const errorResult = (e: unknown): ModuleResult => ({ changed: false, failed: true, msg: e instanceof Error ? e.message : String(e) });

const attempt = async (task: TaskSpec, ctx: ModuleContext, scope: Scope): Promise<ModuleResult> => {
  try {
    return applyConditions(task, await runAction(task, ctx, scope), scope.vars);
  } catch (e) {
    // the host is gone, or an earlier task's held change failed: neither is this task's failure
    if (e instanceof UnreachableError || e instanceof SpeculationFailed) throw e;
    return errorResult(e);
  }
};

const withRetries = async (task: TaskSpec, ctx: ModuleContext, scope: Scope): Promise<ModuleResult> => {
  if (task.until === undefined) return attempt(task, ctx, scope);
  const retries = task.retries ?? 3;
  const delay = task.delay ?? 5;
  let result: ModuleResult = { changed: false };
  for (let i = 0; i <= retries; i++) {
    result = await attempt(task, ctx, scope);
    const untilVars = task.register ? overlayVars(scope.vars, { [task.register]: result }) : scope.vars;
    if (!result.failed && condition(task.until as string, untilVars)) return { ...result, attempts: i + 1 };
    if (i < retries) {
      ctx.progress(`retrying (${i + 1}/${retries})`);
      await sleep(delay * 1000);
    }
  }
  return { ...result, failed: true, attempts: retries + 1, msg: result.msg ?? `retries exhausted: '${task.until}' never held` };
};

const whenHolds = (task: TaskSpec, scope: Scope, ctx: ModuleContext): boolean => {
  const conds = [...(task.inheritedWhen ?? []), ...(task.when === undefined ? [] : [task.when])];
  if (!conds.every((c) => condition(c as string, scope.vars))) return false;
  return task.whenFn ? task.whenFn(scope.typed(), ctx) : true;
};

const delegateTarget = (task: TaskSpec, scope: Scope): string | undefined => {
  if (task.delegateFn) return task.delegateFn(scope.typed());
  return task.delegate_to ? String(renderValue(task.delegate_to, scope.vars)) : undefined;
};

const contextFor = async (
  host: HostRun,
  task: TaskSpec,
  scope: Scope,
  run: RunContext,
  pc: PlayContext,
  progress: (line: string) => void,
): Promise<ModuleContext> => {
  const { vars } = scope;
  const target = delegateTarget(task, scope) ?? host.name;
  const conn = await run.connect(target);
  const own = target === host.name;
  if (own) host.ahead ??= runAhead(conn.writeBehind, run.emit, () => conn.facts.invalidate());
  const connVars = own ? vars : overlayVars(vars, run.hostVars(target));
  const checkMode = task.check_mode === false ? false : task.check_mode === true ? true : run.check;
  const become = becomeFor(task, pc.play, connVars, run);
  // the host's own tasks may hold their changes; a task delegated here from another host never waits on them
  const transport = own ? conn.writeBehind.own : conn.writeBehind.foreign;
  return createModuleContext({
    hostname: target,
    transport,
    change: own ? conn.writeBehind.own.change : undefined,
    makeDirectory: own ? conn.writeBehind.own.makeDirectory : undefined,
    facts: conn.facts.reader(become, transport),
    check: checkMode,
    diff: task.diff ?? run.diff,
    become,
    env: envFor(task, pc.play, vars),
    vars,
    templateDirs: task.role?.templateDirs ?? [join(run.playbookDir, 'templates'), join(packageRoot, 'templates')],
    fileDirs: task.role?.fileDirs ?? [join(run.playbookDir, 'files'), run.playbookDir, process.cwd()],
    progress,
    interrupted: run.aborted,
    reconnect: async () => {
      await run.reconnect(target);
      return contextFor(host, task, scope, run, pc, progress);
    },
    onHost: (other) => {
      const elsewhere = { ...task, delegate_to: other, delegateFn: undefined };
      return contextFor(host, elsewhere, scope, run, pc, (line) => progress(`${other}: ${line}`));
    },
  });
};

/**
 * A precondition's context (preconditions.ts): in check mode, reading through the host's one fact cache; and its
 * role's typed variables (throws when they are invalid).
 */
export const preconditionContext = async (
  host: HostRun,
  task: TaskSpec,
  run: RunContext,
  pc: PlayContext,
): Promise<{ ctx: ModuleContext; typed: () => Record<string, unknown> }> => {
  const checking: TaskSpec = { ...task, check_mode: true };
  const scope = scopeOf(host, checking, taskVars(host, pc.play, checking, run, pc));
  return { ctx: await contextFor(host, checking, scope, run, pc, () => undefined), typed: scope.typed };
};

const statusOf = (r: ModuleResult): TaskStatus => (r.failed ? 'failed' : r.skipped ? 'skipped' : r.changed ? 'changed' : 'ok');

const itemLabel = (task: TaskSpec, item: unknown, vars: Record<string, unknown>): string => {
  if (task.loop_control?.label) return String(renderValue(task.loop_control.label, vars));
  return typeof item === 'string' ? item : JSON.stringify(item);
};

// as Ansible's registered loop result: `skipped` always said, and a message for each outcome
const combineLoop = (results: ModuleResult[]): ModuleResult => {
  const failed = results.some((r) => r.failed);
  const skipped = results.length > 0 && results.every((r) => r.skipped);
  return {
    changed: results.some((r) => r.changed),
    ...(failed ? { failed } : {}),
    skipped,
    msg: failed ? 'One or more items failed' : skipped ? 'All items skipped' : 'All items completed',
    results,
  };
};

/**
 * A result as a registered variable holds it: a module that ran says `failed` (false unless it failed), as
 * Ansible's task executor adds it; a step a false condition skipped did not run and does not.
 */
const asRegistered = (r: ModuleResult): ModuleResult => (r === SKIPPED || r.failed !== undefined ? r : { ...r, failed: false });

// what Ansible's registered loop items carry besides the result: the loop's variable names and values
const itemExtras = (task: TaskSpec, item: unknown, index: number, items: readonly unknown[]): Record<string, unknown> => {
  const indexVar = task.loop_control?.index_var;
  return { ...loopVarsOf(task, item, index, items), ...(indexVar ? { ansible_index_var: indexVar } : {}) };
};

/** Report a result: redacted, diff rendered, `no_log` honoured. */
const report = async (
  host: HostRun,
  task: TaskSpec,
  name: string,
  result: ModuleResult,
  secrets: readonly string[],
  ignored: boolean,
  run: RunContext,
  item?: string,
) => {
  const status = statusOf(result);
  // a secret the task itself revealed (a password lookup, a vault value) is hidden in its own result too
  const revealed = knownSecrets().filter((s) => !secrets.includes(s));
  if (revealed.length) secrets = longestFirst([...secrets, ...revealed]);
  // what the operator must do is shown even for a no_log task: it names files and hosts, never secret values
  const actions = redact(operatorActionsOf(result), secrets);
  // the diff is shown rendered (below), not as a field of the result: never copied and searched for secrets here
  const { diff: changes, ...fields } = result;
  const shown: Record<string, unknown> = task.no_log
    ? { changed: result.changed, censored: NO_LOG_MSG, ...(actions.length ? { [OPERATOR_ACTIONS]: actions } : {}) }
    : // redact() copies as materialize() does (every own field read, lazy values rendered): one copy, not two
      redact(fields as Record<string, unknown>, secrets);
  const diff = run.diff && changes?.length ? await renderDiffs(changes, secrets, Boolean(task.no_log)) : undefined;
  run.operatorActions.push(...actions.map((action) => ({ host: host.name, task: name, action })));
  emitFor(host, run)({ type: 'task_result', host: host.name, task: name, status, result: shown, diff, item: item && redact(item, secrets), ignored });
};

const SKIPPED: ModuleResult = { changed: false, skipped: true, skip_reason: 'Conditional result was False' };

/** A host's events go through its run-ahead, which holds them back while they depend on unconfirmed changes. */
const emitFor =
  (host: HostRun, run: RunContext): EventSink =>
  (event: RunEvent) =>
    host.ahead ? host.ahead.emit(event) : run.emit(event);

/** Where a task that may run ahead of its changes sits, and, when it runs again after a failed change, how. */
export interface AheadPosition {
  index: number;
  replay?: Replay;
}

/**
 * One step (the task, or one item of its loop): its conditions, then the module. Run again after a held change
 * failed, a step before the failure keeps its result and the failed one gets the error, as if run one by one.
 */
const runStep = async (
  host: HostRun,
  task: TaskSpec,
  index: number,
  scope: Scope,
  ctx: ModuleContext,
  run: RunContext,
  record: TaskRecord | undefined,
  replay: Replay | undefined,
): Promise<ModuleResult> => {
  if (replay && index < replay.failedAt) return replay.results[index];
  if (replay && index === replay.failedAt) {
    if (replay.error instanceof UnreachableError) throw replay.error;
    return errorResult(replay.error);
  }
  const ahead = host.ahead;
  if (!record || !ahead) return whenHolds(task, scope, ctx) ? withRetries(task, ctx, scope) : SKIPPED;
  const step = ahead.step(record, index, run.operatorActions.length);
  ahead.writeBehind.holdFor(step);
  try {
    const result = whenHolds(task, scope, ctx) ? await withRetries(task, ctx, scope) : SKIPPED;
    record.steps[index].result = result;
    return result;
  } finally {
    ahead.writeBehind.holdFor(undefined);
  }
};

const isIgnored = (task: TaskSpec, vars: Record<string, unknown>) =>
  typeof task.ignore_errors === 'string' ? condition(task.ignore_errors, vars) : Boolean(task.ignore_errors);

// after the task itself threw: an ignore_errors that cannot be evaluated (the error may be its own) ignores nothing
const ignoredAfterError = (task: TaskSpec, vars: () => Record<string, unknown>): boolean => {
  try {
    return isIgnored(task, vars());
  } catch {
    return false;
  }
};

/** Run one task (a loop runs each item) on one host; returns the outcome after all keywords apply. */
const executeOnHost = async (host: HostRun, task: TaskSpec, run: RunContext, pc: PlayContext, position?: AheadPosition): Promise<TaskOutcome> => {
  const name = taskName(task);
  const replay = position?.replay;
  // a task run again after a failed change was shown starting already
  if (!replay) emitFor(host, run)({ type: 'task_start', host: host.name, task: name });
  const vars = taskVars(host, pc.play, task, run, pc);
  const secrets = longestFirst([...secretValues(vars, run.secretNames), ...knownSecrets()]);
  // evaluated once, and only once something failed (an expression may name a result registered meanwhile)
  let ignoredMemo: boolean | undefined;
  const ignored = (result: ModuleResult) => {
    if (!result.failed) return false;
    ignoredMemo ??= isIgnored(task, vars);
    return ignoredMemo;
  };
  const progress = (line: string) => emitFor(host, run)({ type: 'task_progress', host: host.name, task: name, line: redact(line, secrets) });
  const scope = scopeOf(host, task, vars);
  const ctx = await contextFor(host, task, scope, run, pc, progress);
  // taken once connected (the run-ahead is the connection's), before the task changes anything
  const record = position && !replay && host.ahead ? host.ahead.begin(position.index, host) : undefined;
  const items = loopItems(task, vars);
  if (!items) {
    const result = await runStep(host, task, 0, scope, ctx, run, record, replay);
    await report(host, task, name, result, secrets, ignored(result), run);
    return { status: statusOf(result), result: asRegistered(result), ignored: ignored(result) };
  }
  const loopVar = task.loop_control?.loop_var ?? 'item';
  const results: ModuleResult[] = [];
  for (const [index, item] of items.entries()) {
    if (index > 0 && task.loop_control?.pause) await sleep(task.loop_control.pause * 1000);
    const itemScope = scopeOf(host, task, itemVars(task, vars, item, index, items));
    const itemCtx = { ...ctx, vars: itemScope.vars, render: (t: string, extra?: Record<string, unknown>) => ctx.render(t, { [loopVar]: item, ...extra }) };
    const result = await runStep(host, task, index, itemScope, itemCtx, run, record, replay);
    // the items before a failed change were reported the first time
    if (!replay || index >= replay.failedAt) await report(host, task, name, result, secrets, ignored(result), run, itemLabel(task, item, itemScope.vars));
    results.push({ ...asRegistered(result), ...itemExtras(task, item, index, items) });
  }
  const combined = combineLoop(results);
  return { status: statusOf(combined), result: combined, ignored: ignored(combined) };
};

/** A loop item's variables: the task's, with the loop's on top, still lazy (a task var naming `item` sees it). */
export const itemVars = (task: TaskSpec, vars: Record<string, unknown>, item: unknown, index: number, items: readonly unknown[]): Record<string, unknown> =>
  extendVars(vars, loopVarsOf(task, item, index, items));

export const isSelected = (task: TaskSpec, run: RunContext): boolean => selectedByTags(task.tags ?? [], run.tags);

/** --start-at-task: true once this host has reached the named task. */
export const reachedStart = (host: HostRun, task: TaskSpec, run: RunContext): boolean => {
  if (host.started || !run.startAtTask) return true;
  if (matchesStartAt(task, run.startAtTask, taskName(task))) host.started = true;
  return host.started;
};

/**
 * Whether a task may run while earlier changes are held, holding its own: a module task whose outcome is its own.
 * Not one shared with other hosts (run_once), run elsewhere (delegate_to), retried (until: a failed change would be
 * retried), asked about (--step), or in a play whose hosts stop together (any_errors_fatal, max_fail_percentage).
 */
export const runsAhead = (task: TaskSpec, run: RunContext, pc: PlayContext): boolean =>
  task.action?.kind === 'module' &&
  !task.run_once &&
  !task.delegate_to &&
  !task.delegateFn &&
  task.until === undefined &&
  !run.step &&
  !pc.play.any_errors_fatal &&
  pc.play.max_fail_percentage === undefined;

/** Run a task on a host with run_once, registration, notification and stats. */
export const runTask = async (host: HostRun, task: TaskSpec, run: RunContext, pc: PlayContext, position?: AheadPosition): Promise<TaskOutcome> => {
  let outcome: TaskOutcome;
  const emit = emitFor(host, run);
  try {
    if (task.run_once) {
      const shared = pc.once.get(task) ?? executeOnHost(host, task, run, pc);
      pc.once.set(task, shared);
      outcome = await shared;
    } else {
      outcome = await executeOnHost(host, task, run, pc, position);
    }
  } catch (e) {
    if (e instanceof SpeculationFailed) throw e;
    if (e instanceof UnreachableError) {
      emit({
        type: 'task_result',
        host: host.name,
        task: taskName(task),
        status: 'unreachable',
        result: { unreachable: true, msg: e.message, changed: false },
      });
      host.stats.unreachable++;
      host.status = 'unreachable';
      return { status: 'unreachable', result: { changed: false, unreachable: true, msg: e.message } };
    }
    const result = errorResult(e);
    const ignored = ignoredAfterError(task, () => taskVars(host, pc.play, task, run, pc));
    emit({ type: 'task_result', host: host.name, task: taskName(task), status: 'failed', result, ignored });
    outcome = { status: 'failed', result, ignored };
  }
  return settle(host, task, outcome);
};

const settle = (host: HostRun, task: TaskSpec, outcome: TaskOutcome): TaskOutcome => {
  const { status, result } = outcome;
  if (task.register) host.runtimeVars[task.register] = result;
  if (result.ansible_facts && typeof result.ansible_facts === 'object' && status !== 'failed') {
    Object.assign(host.runtimeVars, result.ansible_facts);
    // as Ansible's fact cache: what modules gather is cached (meta: clear_facts forgets it), set_fact's is not
    if (task.action?.kind === 'module' && task.action.module.name !== 'set_fact') for (const k of Object.keys(result.ansible_facts)) host.cachedFacts.add(k);
  }
  if (status === 'changed') for (const n of task.notify ?? []) host.notified.add(n);
  const ignored = status === 'failed' && outcome.ignored === true;
  if (status === 'skipped') host.stats.skipped++;
  // as Ansible counts it: an ignored failure is also ok, and changed when its result says so
  else if (ignored) {
    host.stats.ignored++;
    host.stats.ok++;
    if (result.changed) host.stats.changed++;
  } else if (status === 'failed') host.stats.failed++;
  else {
    host.stats.ok++;
    if (status === 'changed') host.stats.changed++;
  }
  return { ...outcome, fatal: status === 'failed' && !ignored };
};
