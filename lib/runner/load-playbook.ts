import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { RunError } from './run-error.js';
import { loadRole, roleKey, roleRefBecome, roleRefTags, roleRefWhen } from './load-role.js';
import { parseTask } from './parse-task.js';
import { playbookSchema, playSchema, type RoleRef } from './playbook-schema.js';
import { loadYaml, validate, type PathPart, type YamlSource, isMapping } from './source.js';
import type { Playbook, PlaySpec, TaskSpec } from './types.js';

const parseTasks = (list: unknown[] | undefined, src: YamlSource, path: PathPart[]): TaskSpec[] => (list ?? []).map((t, i) => parseTask(t, src, [...path, i]));

const loadVarsFiles = async (files: string[] | undefined, dir: string): Promise<Record<string, unknown>> => {
  let out: Record<string, unknown> = {};
  for (const f of files ?? []) {
    const src = await loadYaml(isAbsolute(f) ? f : resolve(dir, f));
    if (src.value === null) continue;
    if (!isMapping(src.value)) throw src.error([], 'a vars file must be a mapping');
    out = { ...out, ...src.value };
  }
  return out;
};

// Tags, conditions and become of a role reference apply to every task of the role; its name is a tag too.
const inherit = (tasks: TaskSpec[], tags: string[], whens: TaskSpec['when'][], become: Partial<TaskSpec>): TaskSpec[] =>
  tasks.map((t) => ({
    ...t,
    become: t.become ?? become.become,
    become_user: t.become_user ?? become.become_user,
    tags: [...new Set([...(t.tags ?? []), ...tags])],
    inheritedWhen: whens.length === 0 ? t.inheritedWhen : [...whens, ...(t.inheritedWhen ?? [])],
  }));

interface RoleScope {
  tags: string[];
  whens: TaskSpec['when'][];
  become: Partial<TaskSpec>;
}

/**
 * A play's roles with their meta dependencies first, as Ansible orders them. A dependency the play
 * already has with the same params runs once (unless its meta allows duplicates); a reference's tags,
 * conditions and become reach its dependencies too.
 */
const expandRoles = async (refs: RoleRef[], dir: string, src: YamlSource, path: PathPart[]): Promise<{ tasks: TaskSpec[]; handlers: TaskSpec[] }> => {
  const tasks: TaskSpec[] = [];
  const handlers: TaskSpec[] = [];
  const seen = new Set<string>();
  const add = async (ref: RoleRef, from: YamlSource, at: PathPart[], outer: RoleScope, dependency: boolean, chain: string[]): Promise<void> => {
    const loaded = await loadRole(ref, dir, from, at);
    const key = roleKey(ref);
    if (chain.includes(loaded.instance.name)) throw from.error(at, `role dependency loop: ${[...chain, loaded.instance.name].join(' → ')}`);
    if (dependency && seen.has(key) && !loaded.allowDuplicates) return;
    seen.add(key);
    const when = roleRefWhen(ref);
    const become = roleRefBecome(ref);
    const scope: RoleScope = {
      tags: [...outer.tags, loaded.instance.name, ...roleRefTags(ref)],
      whens: when === undefined ? outer.whens : [...outer.whens, when],
      become: { become: become.become ?? outer.become.become, become_user: become.become_user ?? outer.become.become_user },
    };
    for (const dep of loaded.dependencies) await add(dep.ref, dep.src, dep.path, scope, true, [...chain, loaded.instance.name]);
    tasks.push(...inherit(loaded.tasks, scope.tags, scope.whens, scope.become));
    handlers.push(...loaded.handlers);
  };
  for (const [i, ref] of refs.entries()) await add(ref, src, [...path, i], { tags: [], whens: [], become: {} }, false, []);
  return { tasks, handlers };
};

const loadPlay = async (raw: unknown, src: YamlSource, index: number, dir: string): Promise<PlaySpec> => {
  const path: PathPart[] = [index];
  const play = validate(playSchema, raw, src, path);
  const roles = await expandRoles(play.roles ?? [], dir, src, [...path, 'roles']);
  const roleSections = roles.tasks;
  const handlers: TaskSpec[] = [...parseTasks(play.handlers, src, [...path, 'handlers']), ...roles.handlers];
  const { roles: _r, pre_tasks, tasks, post_tasks, handlers: _h, ...rest } = play;
  const playTags = play.tags ?? [];
  const tag = (list: TaskSpec[]) => (playTags.length ? inherit(list, playTags, [], {}) : list);
  return {
    ...rest,
    // as Ansible compiles a play: handlers are flushed after pre_tasks, after roles and tasks together, after post_tasks
    sections: [
      tag(parseTasks(pre_tasks, src, [...path, 'pre_tasks'])),
      [...tag(roleSections), ...tag(parseTasks(tasks, src, [...path, 'tasks']))],
      tag(parseTasks(post_tasks, src, [...path, 'post_tasks'])),
    ],
    handlers,
    fileVars: await loadVarsFiles(play.vars_files, dir),
    source: { file: src.file, line: src.locate(path)?.line },
  };
};

/** Load and validate a whole playbook (roles, tasks, module arguments) before anything runs anywhere. */
export const loadPlaybook = async (file: string): Promise<Playbook> => {
  const abs = resolve(file);
  if (!existsSync(abs)) throw new RunError(`the playbook: ${file} could not be found`);
  if (!statSync(abs).isFile()) throw new RunError(`the playbook: ${file} does not appear to be a file`);
  const dir = dirname(abs);
  const src = await loadYaml(abs);
  const list = validate(playbookSchema, src.value, src);
  const plays: PlaySpec[] = [];
  for (const [i, raw] of list.entries()) plays.push(await loadPlay(raw, src, i, dir));
  return { file: abs, dir, plays };
};
