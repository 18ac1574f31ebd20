import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { RunError } from './run-error.js';
import { expandImports, inherit, newExpansion, roleTasks, type Expansion } from './expand-tasks.js';
import { loadTaskModules, parseTask } from './parse-task.js';
import { conditionSchema, playbookSchema, playSchema, stringList, type RoleRef } from './playbook-schema.js';
import { loadYaml, validate, type PathPart, type YamlSource, isMapping } from './source.js';
import type { Playbook, PlaySpec, TaskSpec } from './types.js';

const parseTasks = (list: unknown[] | undefined, src: YamlSource, path: PathPart[], ex: Expansion): Promise<TaskSpec[]> =>
  expandImports(
    (list ?? []).map((t, i) => parseTask(t, src, [...path, i])),
    ex,
    [src.file],
  );

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

const expandRoles = async (refs: RoleRef[], src: YamlSource, path: PathPart[], ex: Expansion): Promise<TaskSpec[]> => {
  const tasks: TaskSpec[] = [];
  for (const [i, ref] of refs.entries()) tasks.push(...(await roleTasks(ref, ex, src, [...path, i])));
  return tasks;
};

const loadPlay = async (raw: unknown, src: YamlSource, path: PathPart[], dir: string): Promise<PlaySpec> => {
  const play = validate(playSchema, raw, src, path);
  const ex = newExpansion(dir);
  const roleSections = await expandRoles(play.roles ?? [], src, [...path, 'roles'], ex);
  const pre = await parseTasks(play.pre_tasks, src, [...path, 'pre_tasks'], ex);
  const main = await parseTasks(play.tasks, src, [...path, 'tasks'], ex);
  const post = await parseTasks(play.post_tasks, src, [...path, 'post_tasks'], ex);
  const handlers: TaskSpec[] = [...(await parseTasks(play.handlers, src, [...path, 'handlers'], ex)), ...ex.handlers];
  const { roles: _r, pre_tasks, tasks, post_tasks, handlers: _h, ...rest } = play;
  const playTags = play.tags ?? [];
  const tag = (list: TaskSpec[]) => (playTags.length ? inherit(list, playTags, [], {}) : list);
  return {
    ...rest,
    // as Ansible compiles a play: handlers are flushed after pre_tasks, after roles and tasks together, after post_tasks
    sections: [tag(pre), [...tag(roleSections), ...tag(main)], tag(post)],
    handlers,
    preconditions: tag(ex.preconditions),
    fileVars: await loadVarsFiles(play.vars_files, dir),
    source: { file: src.file, line: src.locate(path)?.line },
    dir,
    roles: { seen: ex.seen, handlerKeys: ex.handlerKeys },
  };
};

// `- import_playbook: other.yml`, with the keywords Ansible allows on it
const importPlaybookSchema = z.strictObject({
  import_playbook: z.string().min(1),
  name: z.string().optional(),
  vars: z.record(z.string(), z.unknown()).optional(),
  tags: stringList.optional(),
  when: conditionSchema.optional(),
});
const IMPORT_KEYS = ['import_playbook', 'ansible.builtin.import_playbook'];

const importedPlays = async (raw: Record<string, unknown>, src: YamlSource, path: PathPart[], dir: string, chain: string[]): Promise<PlaySpec[]> => {
  const key = IMPORT_KEYS.find((k) => k in raw)!;
  const { [key]: file_, ...keywords } = raw;
  const entry = validate(importPlaybookSchema, { ...keywords, import_playbook: file_ }, src, path);
  const file = isAbsolute(entry.import_playbook) ? entry.import_playbook : resolve(dir, entry.import_playbook);
  if (!existsSync(file)) throw src.error([...path, key], `the playbook ${entry.import_playbook} could not be found (looked for ${file})`);
  if (chain.includes(file)) throw src.error([...path, key], `playbooks import each other: ${[...chain, file].join(' → ')}`);
  const plays = await loadPlays(file, [...chain, file]);
  const whens = entry.when === undefined ? [] : [entry.when];
  return plays.map((p) => ({
    ...p,
    // the import's vars are play vars of every imported play, under the play's own
    vars: entry.vars ? { ...entry.vars, ...(p.vars ?? {}) } : p.vars,
    sections: p.sections.map((s) => inherit(s, entry.tags ?? [], whens, {})),
    preconditions: p.preconditions && inherit(p.preconditions, entry.tags ?? [], whens, {}),
  }));
};

const loadPlays = async (file: string, chain: string[]): Promise<PlaySpec[]> => {
  const dir = dirname(file);
  const src = await loadYaml(file);
  const list = validate(playbookSchema, src.value, src);
  await loadTaskModules(list);
  const plays: PlaySpec[] = [];
  for (const [i, raw] of list.entries()) {
    if (isMapping(raw) && IMPORT_KEYS.some((k) => k in raw)) plays.push(...(await importedPlays(raw, src, [i], dir, chain)));
    else plays.push(await loadPlay(raw, src, [i], dir));
  }
  return plays;
};

/** Load and validate a whole playbook (imported playbooks, roles, imported tasks, module arguments) before anything runs anywhere. */
export const loadPlaybook = async (file: string): Promise<Playbook> => {
  const abs = resolve(file);
  if (!existsSync(abs)) throw new RunError(`the playbook: ${file} could not be found`);
  if (!statSync(abs).isFile()) throw new RunError(`the playbook: ${file} does not appear to be a file`);
  return { file: abs, dir: dirname(abs), plays: await loadPlays(abs, [abs]) };
};
