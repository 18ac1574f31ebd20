import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ModuleDefinition } from '../modules/module.js';
import type { RoleDefinition, RoleTask } from '../roles/role.js';
import { builtinRoleCode, packageRoot } from './paths.js';
import { z } from 'zod';
import { booleanSchema } from '../template/boolean.js';
import { roleRefSchema, type RoleRef } from './playbook-schema.js';
import { loadTaskModules, parseTask } from './parse-task.js';
import { isMapping, loadYaml, validate, type PathPart, type YamlSource } from './source.js';
import type { RoleInstance, TaskSpec } from './types.js';

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

const firstExisting = async (paths: string[]): Promise<string | undefined> => {
  for (const p of paths) if (await exists(p)) return p;
  return undefined;
};

const loadVarsFile = async (paths: string[]): Promise<Record<string, unknown>> => {
  const file = await firstExisting(paths);
  if (!file) return {};
  const src = await loadYaml(file);
  if (src.value === null || src.value === undefined) return {};
  if (!isMapping(src.value)) throw src.error([], 'expected a mapping of variables');
  return src.value;
};

const roleName = (ref: RoleRef): string => (typeof ref === 'string' ? ref : (ref.role ?? ref.name)!);

const ROLE_REF_KEYS = new Set(['role', 'name', 'vars', 'tags', 'when', 'become', 'become_user']);

/** Params of a role reference: its `vars:` and, as Ansible allows, any other key. */
const roleParams = (ref: RoleRef): Record<string, unknown> => {
  if (typeof ref === 'string') return {};
  const extra = Object.fromEntries(Object.entries(ref).filter(([k]) => !ROLE_REF_KEYS.has(k)));
  return { ...extra, ...(ref.vars ?? {}) };
};

const fromRoleTask = (t: RoleTask<unknown>, role: RoleInstance, file: string): TaskSpec => {
  const base: TaskSpec = {
    name: t.name,
    tags: t.tags,
    register: t.register,
    notify: t.notify,
    no_log: t.no_log,
    ignore_errors: t.ignore_errors,
    check_mode: t.check_mode,
    role,
    source: { file },
  };
  const when = t.when;
  if (when) base.whenFn = (vars, ctx) => when(vars, ctx);
  const delegate = t.delegate_to;
  if (delegate) base.delegateFn = (vars) => delegate(vars);
  if (t.run) {
    const { run, facts, invalidates } = t;
    return { ...base, action: { kind: 'code', run: (ctx, vars) => run(ctx, vars), facts: facts && ((vars) => facts(vars)), invalidates } };
  }
  const module = t.module as ModuleDefinition;
  const args = t.args;
  if (typeof args === 'function') return { ...base, action: { kind: 'module', module, argsFn: (v) => (args as (v: unknown) => unknown)(v) } };
  return { ...base, action: { kind: 'module', module, args } };
};

const loadYamlTasks = async (file: string | undefined, role: RoleInstance): Promise<TaskSpec[]> => {
  if (!file) return [];
  const src: YamlSource = await loadYaml(file);
  if (src.value === null) return [];
  if (!Array.isArray(src.value)) throw src.error([], 'expected a list of tasks');
  await loadTaskModules(src.value);
  return src.value.map((t, i) => ({ ...parseTask(t, src, [i]), role }));
};

// meta/main.yml: nop reads its dependencies and allow_duplicates; the rest (galaxy_info...) is for Galaxy
const roleMetaSchema = z.looseObject({
  dependencies: z.array(roleRefSchema).optional(),
  allow_duplicates: booleanSchema.optional(),
});

export interface RoleDependency {
  ref: RoleRef;
  /** meta/main.yml, for errors located in it */
  src: YamlSource;
  path: PathPart[];
}

export interface LoadedRole {
  instance: RoleInstance;
  tasks: TaskSpec[];
  handlers: TaskSpec[];
  /** read-only checks evaluated for every host before any play changes anything (RoleDefinition.preconditions) */
  preconditions: TaskSpec[];
  /** roles from meta/main.yml, run before this one */
  dependencies: RoleDependency[];
  /** meta's allow_duplicates: run again as a dependency even when the play already has it with the same params */
  allowDuplicates: boolean;
}

const loadMeta = async (dir: string): Promise<Pick<LoadedRole, 'dependencies' | 'allowDuplicates'>> => {
  const file = await firstExisting([join(dir, 'meta', 'main.yml'), join(dir, 'meta', 'main.yaml')]);
  const src = file ? await loadYaml(file) : undefined;
  if (!src || src.value === null || src.value === undefined) return { dependencies: [], allowDuplicates: false };
  const meta = validate(roleMetaSchema, src.value, src);
  return {
    dependencies: (meta.dependencies ?? []).map((ref, i) => ({ ref, src, path: ['dependencies', i] })),
    allowDuplicates: meta.allow_duplicates ?? false,
  };
};

/** A role reference's identity for deduplication: its name and its params. */
export const roleKey = (ref: RoleRef): string => `${roleName(ref)} ${JSON.stringify(roleParams(ref))}`;

/** include_role/import_role's choice of files: `tasks_from: install` reads tasks/install.yml instead of tasks/main.yml. */
export interface RoleFiles {
  tasks_from?: string;
  vars_from?: string;
  defaults_from?: string;
  handlers_from?: string;
}

// `install`, `install.yml` or `sub/install.yaml`, in the role's DIR/
const fileIn = (dir: string, sub: string, name = 'main'): string[] =>
  /\.ya?ml$|\.json$/.test(name)
    ? [join(dir, sub, name)]
    : [join(dir, sub, `${name}.yml`), join(dir, sub, `${name}.yaml`), join(dir, sub, `${name}.json`), join(dir, sub, name)];

const requireFile = async (dir: string, sub: string, name: string | undefined, src: YamlSource, path: PathPart[]): Promise<string | undefined> => {
  const file = await firstExisting(fileIn(dir, sub, name));
  if (name !== undefined && !file) throw src.error(path, `role ${sub}/${name} not found in ${dir}`);
  return file;
};

/** The bundle's roles are CommonJS (rolldown.config.mjs): required, so they compile from the cache as the CLI does. */
const importRoleCode = async (code: string): Promise<unknown> =>
  code.endsWith('.cjs') ? createRequire(import.meta.url)(code) : import(pathToFileURL(code).href);

/** Find a role by name: beside the playbook first, then nop's own roles. TypeScript or YAML (Ansible layout). */
export const loadRole = async (ref: RoleRef, playbookDir: string, src: YamlSource, path: (string | number)[], files: RoleFiles = {}): Promise<LoadedRole> => {
  const name = roleName(ref);
  const candidates = [join(playbookDir, 'roles', name), join(playbookDir, '..', 'roles', name), join(packageRoot, 'roles', name)];
  const dir = await firstExisting(candidates);
  if (!dir) throw src.error(path, `role '${name}' not found (looked in ${candidates.join(', ')})`);
  const builtin = dir === join(packageRoot, 'roles', name);
  const code = await firstExisting([join(dir, 'index.js'), join(dir, 'index.mjs'), ...(builtin ? [builtinRoleCode(name)] : [])]);
  const defaultsFile = await requireFile(dir, 'defaults', files.defaults_from, src, path);
  const defaults = await loadVarsFile(files.defaults_from ? [defaultsFile!] : [join(dir, 'defaults.yml'), ...fileIn(dir, 'defaults')]);
  const meta = await loadMeta(dir);
  const roleVars = await loadVarsFile([(await requireFile(dir, 'vars', files.vars_from, src, path)) ?? join(dir, 'vars', 'main.yml')]);
  const instance: RoleInstance = {
    name,
    dir,
    defaults,
    params: { ...roleVars, ...roleParams(ref) },
    templateDirs: [join(dir, 'templates'), join(playbookDir, 'templates'), join(packageRoot, 'templates')],
    fileDirs: [join(dir, 'files'), playbookDir, process.cwd()],
  };
  if (code) {
    if (files.tasks_from || files.handlers_from)
      throw src.error(path, `role '${name}' is TypeScript (${code}): tasks_from and handlers_from are for YAML roles`);
    const mod = (await importRoleCode(code)) as { default?: RoleDefinition };
    const def = mod.default;
    if (!def || !Array.isArray(def.tasks)) throw src.error(path, `role '${name}': ${code} has no default export made with defineRole()`);
    instance.schema = def.vars;
    return {
      instance,
      tasks: def.tasks.map((t) => fromRoleTask(t as RoleTask<unknown>, instance, code)),
      handlers: (def.handlers ?? []).map((t) => fromRoleTask(t as RoleTask<unknown>, instance, code)),
      preconditions: (def.preconditions ?? []).map((t) => fromRoleTask(t as RoleTask<unknown>, instance, code)),
      ...meta,
    };
  }
  const tasksFile = await requireFile(dir, 'tasks', files.tasks_from, src, path);
  const handlersFile = await requireFile(dir, 'handlers', files.handlers_from, src, path);
  // a role of only defaults, vars or dependencies is a role too (Ansible runs its dependencies)
  if (!tasksFile && !handlersFile && meta.dependencies.length === 0 && !(await exists(join(dir, 'defaults'))) && !(await exists(join(dir, 'vars')))) {
    throw src.error(path, `role '${name}' in ${dir} has neither index.js nor tasks/main.yml`);
  }
  return { instance, tasks: await loadYamlTasks(tasksFile, instance), handlers: await loadYamlTasks(handlersFile, instance), preconditions: [], ...meta };
};

export const roleRefTags = (ref: RoleRef): string[] => (typeof ref === 'string' ? [] : (ref.tags ?? []));
export const roleRefWhen = (ref: RoleRef) => (typeof ref === 'string' ? undefined : ref.when);
export const roleRefBecome = (ref: RoleRef) => (typeof ref === 'string' ? {} : { become: ref.become, become_user: ref.become_user });
