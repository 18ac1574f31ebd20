import type { ModuleResult } from '../modules/module.js';
import { renderValue } from '../template/render.js';
import { findTasksFile, loadTasksFile, newExpansion, roleTasks } from './expand-tasks.js';
import { loadYaml } from './source.js';
import { taskKeywordsSchema } from './playbook-schema.js';
import type { PlaySpec, TaskSpec } from './types.js';

/** The tasks an include brought in for one item, kept out of the reported result (a symbol is not materialized). */
export const INCLUDED = Symbol('included tasks');

type IncludeResult = ModuleResult & { [INCLUDED]?: TaskSpec[] };

// `apply:` takes task keywords only; validated when the include is reached
const applySchema = taskKeywordsSchema.pick({
  tags: true,
  when: true,
  become: true,
  become_user: true,
  environment: true,
  vars: true,
  ignore_errors: true,
  no_log: true,
  check_mode: true,
  diff: true,
  delegate_to: true,
  run_once: true,
});

const applyKeywords = (task: TaskSpec): Partial<TaskSpec> => {
  const res = applySchema.safeParse(task.include!.apply ?? {});
  if (res.success) return res.data;
  const issue = res.error.issues[0];
  throw new Error(`apply: ${issue.path.join('.') || issue.code}: ${issue.message}`);
};

const includeTasks = async (task: TaskSpec, play: PlaySpec, vars: Record<string, unknown>): Promise<IncludeResult> => {
  const include = task.include!;
  const name = String(renderValue(include.file, vars));
  const file = await findTasksFile(name, include, task.role, play.dir);
  if (!file) return { changed: false, failed: true, msg: `Could not find or access '${name}' on the controller` };
  return { changed: false, include: file, [INCLUDED]: await loadTasksFile(file, task.role, newExpansion(play.dir), []) };
};

const includeRole = async (task: TaskSpec, play: PlaySpec, vars: Record<string, unknown>): Promise<IncludeResult> => {
  const { name, public: _p, ...files } = renderValue(task.include!.role, vars) as NonNullable<TaskSpec['include']>['role'] & object;
  // the play's roles so far: a dependency it already ran is not run again, and a role instance's handlers join the play once
  const ex = { ...newExpansion(play.dir), ...play.roles };
  const src = await loadYaml(task.source.file);
  const tasks = await roleTasks({ role: name, vars: task.vars }, ex, src, task.include!.at, files);
  play.handlers.push(...ex.handlers);
  // a role reached only now was not checked before the run: its preconditions run as its first tasks
  return { changed: false, include: name, [INCLUDED]: [...ex.preconditions, ...tasks] };
};

/** include_tasks/include_role as a task the runner runs like any other (when, loop, register, ignore_errors): its result carries the tasks it loaded. */
export const includeResolver = (task: TaskSpec, play: PlaySpec): TaskSpec => ({
  ...task,
  include: undefined,
  action: {
    kind: 'code',
    invalidates: [],
    run: (_ctx, vars) => {
      applyKeywords(task);
      return task.include!.kind === 'include_role' ? includeRole(task, play, vars) : includeTasks(task, play, vars);
    },
  },
});

/** The blocks to run after an include ran: one per item, its tasks under the include's vars, loop variable and `apply`. */
export const includedBlocks = (task: TaskSpec, result: ModuleResult): TaskSpec[] => {
  const loopVar = task.loop_control?.loop_var ?? 'item';
  const apply = applyKeywords(task);
  const one = (r: IncludeResult, extra: Record<string, unknown>): TaskSpec[] => {
    const tasks = r[INCLUDED];
    if (!tasks || r.failed || r.skipped) return [];
    const vars = { ...(task.include!.kind === 'include_tasks' ? (task.vars ?? {}) : {}), ...(apply.vars ?? {}), ...extra };
    return [{ ...apply, vars, role: task.role, block: tasks, source: task.source, name: task.name }];
  };
  const items = result.results as IncludeResult[] | undefined;
  if (!items) return one(result, {});
  return items.flatMap((r) => one(r, { [loopVar]: r[loopVar] }));
};

export const isDynamicInclude = (task: TaskSpec): boolean => task.include?.kind === 'include_tasks' || task.include?.kind === 'include_role';
