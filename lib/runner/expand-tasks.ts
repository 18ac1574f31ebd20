import { isAbsolute, join, resolve } from 'node:path';
import { access } from 'node:fs/promises';
import { renderValue } from '../template/render.js';
import { loadRole, roleKey, roleRefBecome, roleRefTags, roleRefWhen, type RoleFiles } from './load-role.js';
import { loadTaskModules, parseTask } from './parse-task.js';
import type { RoleRef } from './playbook-schema.js';
import { loadYaml, type PathPart, type YamlSource } from './source.js';
import type { IncludeSpec, RoleInstance, TaskSpec } from './types.js';

/** What expanding a play's roles and imports shares: where roles are found, which ran, their handlers. */
export interface Expansion {
  playbookDir: string;
  /** role references already in the play: a dependency the play has with the same params runs once */
  seen: Set<string>;
  /** handlers of every role brought in */
  handlers: TaskSpec[];
  /** role instances (name, params, files) whose handlers the play has: an instance brings its handlers once */
  handlerKeys: Set<string>;
  /** the preconditions of every role brought in, with the reference's tags and conditions */
  preconditions: TaskSpec[];
}

export const newExpansion = (playbookDir: string): Expansion => ({ playbookDir, seen: new Set(), handlers: [], handlerKeys: new Set(), preconditions: [] });

interface RoleScope {
  tags: string[];
  whens: TaskSpec['when'][];
  become: Partial<TaskSpec>;
}

const TOP: RoleScope = { tags: [], whens: [], become: {} };

// Tags, conditions and become of a role reference apply to every task of the role; its name is a tag too.
export const inherit = (tasks: TaskSpec[], tags: string[], whens: TaskSpec['when'][], become: Partial<TaskSpec>): TaskSpec[] =>
  tasks.map((t) => ({
    ...t,
    become: t.become ?? become.become,
    become_user: t.become_user ?? become.become_user,
    tags: [...new Set([...(t.tags ?? []), ...tags])],
    inheritedWhen: whens.length === 0 ? t.inheritedWhen : [...whens, ...(t.inheritedWhen ?? [])],
  }));

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/** Where a tasks file named by an import or include is: beside the including file, in its role's tasks/, beside the playbook. */
export const findTasksFile = async (name: string, include: IncludeSpec, role: RoleInstance | undefined, playbookDir: string): Promise<string | undefined> => {
  const dirs = isAbsolute(name) ? [''] : [include.from, ...(role ? [join(role.dir, 'tasks')] : []), playbookDir];
  for (const d of dirs) {
    const path = d ? resolve(d, name) : name;
    if (await exists(path)) return path;
  }
  return undefined;
};

/** A tasks file's tasks (imports in it expanded), belonging to `role` when a role's file includes it. */
export const loadTasksFile = async (file: string, role: RoleInstance | undefined, ex: Expansion, chain: string[]): Promise<TaskSpec[]> => {
  if (chain.includes(file)) throw new Error(`tasks files include each other: ${[...chain, file].join(' → ')}`);
  const src: YamlSource = await loadYaml(file);
  if (src.value === null || src.value === undefined) return [];
  if (!Array.isArray(src.value)) throw src.error([], 'expected a list of tasks');
  await loadTaskModules(src.value);
  const tasks = src.value.map((t, i) => ({ ...parseTask(t, src, [i]), ...(role ? { role } : {}) }));
  return expandImports(tasks, ex, [...chain, file]);
};

/**
 * A role's tasks with its meta dependencies first, as Ansible orders them. A dependency the play already has
 * with the same params runs once (unless its meta allows duplicates); a reference's tags, conditions and become
 * reach its dependencies too.
 */
export const roleTasks = async (
  ref: RoleRef,
  ex: Expansion,
  src: YamlSource,
  at: PathPart[],
  files: RoleFiles = {},
  outer: RoleScope = TOP,
  dependency = false,
  chain: string[] = [],
): Promise<TaskSpec[]> => {
  const loaded = await loadRole(ref, ex.playbookDir, src, at, files);
  const key = roleKey(ref);
  if (chain.includes(loaded.instance.name)) throw src.error(at, `role dependency loop: ${[...chain, loaded.instance.name].join(' → ')}`);
  if (dependency && ex.seen.has(key) && !loaded.allowDuplicates) return [];
  ex.seen.add(key);
  const when = roleRefWhen(ref);
  const become = roleRefBecome(ref);
  const scope: RoleScope = {
    tags: [...outer.tags, loaded.instance.name, ...roleRefTags(ref)],
    whens: when === undefined ? outer.whens : [...outer.whens, when],
    become: { become: become.become ?? outer.become.become, become_user: become.become_user ?? outer.become.become_user },
  };
  const tasks: TaskSpec[] = [];
  for (const dep of loaded.dependencies) tasks.push(...(await roleTasks(dep.ref, ex, dep.src, dep.path, {}, scope, true, [...chain, loaded.instance.name])));
  tasks.push(...inherit(await expandImports(loaded.tasks, ex, []), scope.tags, scope.whens, scope.become));
  ex.preconditions.push(...inherit(loaded.preconditions, scope.tags, scope.whens, scope.become));
  const instance = `${key} ${JSON.stringify(files)}`;
  if (!ex.handlerKeys.has(instance)) ex.handlers.push(...(await expandImports(loaded.handlers, ex, [])));
  ex.handlerKeys.add(instance);
  return tasks;
};

// an import's file name may use what is known before the run (role_path, playbook_dir), never host variables
const staticName = (name: string, task: TaskSpec, ex: Expansion): string => {
  if (!name.includes('{{')) return name;
  try {
    return String(renderValue(name, { role_path: task.role?.dir, playbook_dir: ex.playbookDir, role_name: task.role?.name }));
  } catch (e) {
    throw new Error(`${(e as Error).message}: an import is resolved before the run, so its name cannot use host variables (use include_tasks)`);
  }
};

const located = async <T>(task: TaskSpec, fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof Error && e.name === 'SourceError') throw e;
    const where = task.source.line === undefined ? task.source.file : `${task.source.file}:${task.source.line}`;
    throw new Error(`${where}: ${(e as Error).message}`);
  }
};

// an import is a block: its keywords (when, tags, vars, become...) apply to every task it brings in
const importAsBlock = async (task: TaskSpec, ex: Expansion, chain: string[]): Promise<TaskSpec> => {
  const include = task.include!;
  const { include: _i, ...keywords } = task;
  if (include.kind === 'import_tasks') {
    const name = staticName(include.file!, task, ex);
    const file = await findTasksFile(name, include, task.role, ex.playbookDir);
    if (!file)
      throw new Error(
        `could not find or access '${name}' (looked beside ${include.from}${task.role ? `, in ${task.role.dir}/tasks` : ''} and ${ex.playbookDir})`,
      );
    return { ...keywords, block: await loadTasksFile(file, task.role, ex, chain) };
  }
  const { name, public: _p, ...files } = include.role!;
  const src = await loadYaml(task.source.file);
  const { vars: _v, ...rest } = keywords;
  return { ...rest, block: await roleTasks({ role: name, vars: task.vars }, ex, src, include.at, files) };
};

/** Static imports (`import_tasks`, `import_role`) replaced by what they import, recursively, blocks included. */
export const expandImports = async (tasks: TaskSpec[], ex: Expansion, chain: string[]): Promise<TaskSpec[]> => {
  const out: TaskSpec[] = [];
  for (const task of tasks) {
    if (task.include?.kind === 'import_tasks' || task.include?.kind === 'import_role') {
      out.push(await located(task, () => importAsBlock(task, ex, chain)));
      continue;
    }
    if (!task.block) {
      out.push(task);
      continue;
    }
    const sub = (list: TaskSpec[] | undefined) => (list ? expandImports(list, ex, chain) : Promise.resolve(undefined));
    out.push({ ...task, block: await sub(task.block), rescue: await sub(task.rescue), always: await sub(task.always) });
  }
  return out;
};
