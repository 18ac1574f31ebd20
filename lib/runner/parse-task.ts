import type { z } from 'zod';
import { AliasConflictError, canonicalArgs } from '../modules/aliases.js';
import { loadAllModules, loadedModule, loadModules, moduleNames } from '../modules/module-index.js';
import { describeIssue } from '../text/issue-message.js';
import { didYouMean } from '../text/nearest-word.js';
import { objectKeysAt } from './schema-keys.js';
import type { ModuleDefinition } from '../modules/module.js';
import { checkExpression } from '../template/expression.js';
import { basename, dirname } from 'node:path';
import { includeActionOf, parseInclude } from './include-task.js';
import { includeVarsAction, parseIncludeVars } from './include-vars.js';
import { COMMAND_KEYS, FreeFormError, parseKeyValues } from './free-form.js';
import { TASK_KEYWORDS, taskKeywordsSchema, type TaskKeywords } from './playbook-schema.js';
import { validate, type PathPart, type YamlSource, isMapping } from './source.js';
import type { TaskSpec } from './types.js';
import { isMetaKey, parseMeta } from './meta-task.js';
import { actionForm, ACTION_KEYS } from './action-form.js';

const hasTemplate = (v: unknown): boolean => typeof v === 'string' && v.includes('{{');

// A templated value is only known at run time: its type is checked then, not at load.
const templatedAt = (args: unknown, path: readonly PropertyKey[]): boolean => {
  let cur: unknown = args;
  if (hasTemplate(cur)) return true;
  for (const p of path) {
    if (!isMapping(cur) && !Array.isArray(cur)) return false;
    cur = (cur as Record<string, unknown>)[p as string];
    if (hasTemplate(cur)) return true;
  }
  return false;
};

/** Check module arguments at load time; issues on templated values wait for run time. */
export const checkModuleArgs = (module: ModuleDefinition, rawArgs: unknown, src: YamlSource, path: PathPart[]): void => {
  let folded: ReturnType<typeof canonicalArgs>;
  try {
    folded = canonicalArgs(module, rawArgs);
  } catch (e) {
    if (!(e instanceof AliasConflictError)) throw e;
    throw src.keyError([...path, e.alias], `module '${module.name}': ${e.message}`);
  }
  const { args, writtenAs } = folded;
  const res = (module.args as z.ZodType).safeParse(args);
  if (res.success) return;
  // a misspelt parameter first: it explains the required one that then looks missing
  const issues = [...res.error.issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'));
  // the YAML names the argument as the task wrote it (an alias, maybe)
  const asWritten = (p: readonly PropertyKey[]): PathPart[] => {
    const [first, ...rest] = p as PathPart[];
    return first === undefined ? [] : [writtenAs.get(String(first)) ?? first, ...rest];
  };
  for (const issue of issues) {
    const issuePath = asWritten(issue.path);
    if (templatedAt(rawArgs, issuePath)) continue;
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    if (keys.length) {
      const near = didYouMean(keys[0], objectKeysAt(module.args as z.ZodType, issue.path as PathPart[]));
      throw src.keyError([...path, ...issuePath, keys[0]], `unsupported parameter '${keys[0]}' for module '${module.name}'${near}`);
    }
    const words = describeIssue(issue, args);
    throw src.error([...path, ...asWritten(words.path)], words.message);
  }
};

// `file: path=/x state=directory`, `command: make creates=/x`: Ansible's key=value form
const stringArgs = (module: ModuleDefinition, value: string): Record<string, unknown> => {
  if (module.freeForm) {
    const { options, raw } = parseKeyValues(value, COMMAND_KEYS);
    return raw === undefined ? options : { ...options, [module.freeForm]: raw };
  }
  const { options, raw } = parseKeyValues(value);
  if (raw !== undefined) {
    throw new FreeFormError(`'${raw}' is not key=value: module '${module.name}' takes only key=value arguments (a free-form command is for command and shell)`);
  }
  return options;
};

/** The module's arguments from the task: a mapping, a key=value string, or nothing; `args:` under them. */
export const moduleArgs = (module: ModuleDefinition, value: unknown, extra: Record<string, unknown> | undefined): unknown => {
  const base = value === null || value === undefined ? {} : typeof value === 'string' ? stringArgs(module, value) : value;
  return extra && isMapping(base) ? { ...extra, ...base } : base;
};

const checkConditions = (kw: TaskKeywords, src: YamlSource, path: PathPart[]) => {
  for (const key of ['when', 'changed_when', 'failed_when', 'until'] as const) {
    const v = kw[key];
    const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
    list.forEach((expr, i) => {
      if (typeof expr !== 'string') return;
      try {
        checkExpression(expr);
      } catch (e) {
        throw src.error(Array.isArray(v) ? [...path, key, i] : [...path, key], (e as Error).message);
      }
    });
  }
};

const isIncludeVars = (key: string): boolean => key === 'include_vars' || key === 'ansible.builtin.include_vars';

// include_vars looks beside the including file and, in a role's tasks/, in the role (its vars/)
const varsDirs = (file: string): string[] => {
  const dir = dirname(file);
  return basename(dir) === 'tasks' ? [dirname(dir), dir] : [dir];
};

// every mapping key in a YAML value: the tasks' module names among them
const mappingKeys = (value: unknown, keys: Set<string>): Set<string> => {
  if (Array.isArray(value)) for (const v of value) mappingKeys(v, keys);
  else if (isMapping(value))
    for (const [k, v] of Object.entries(value)) {
      keys.add(k);
      mappingKeys(v, keys);
    }
  return keys;
};

/**
 * Load the modules a YAML file's tasks call, before `parseTask` reads them: a run loads only the modules its
 * playbook uses. A task naming its module inside a value (`action: copy …`) loads them all.
 */
export const loadTaskModules = async (value: unknown): Promise<void> => {
  const keys = mappingKeys(value, new Set());
  if ([...ACTION_KEYS].some((k) => keys.has(k))) await loadAllModules();
  else await loadModules(keys);
};

/** Parse one YAML task (or block) into a TaskSpec, validating everything that can be known before running. */
export const parseTask = (raw: unknown, src: YamlSource, path: PathPart[]): TaskSpec => {
  if (!isMapping(raw)) throw src.error(path, 'a task must be a mapping');
  const keywords: Record<string, unknown> = {};
  const others: string[] = [];
  for (const [k, v] of Object.entries(raw)) {
    if (TASK_KEYWORDS.has(k)) keywords[k] = v;
    else others.push(k);
  }
  const unknown = others.find((k) => !loadedModule(k) && !includeActionOf(k) && !isIncludeVars(k) && !isMetaKey(k) && !ACTION_KEYS.has(k));
  if (unknown)
    throw src.keyError([...path, unknown], `'${unknown}' is neither a module nor a task keyword${didYouMean(unknown, [...TASK_KEYWORDS, ...moduleNames()])}`);
  const kw = validate(taskKeywordsSchema, keywords, src, path);
  checkConditions(kw, src, path);
  const line = src.locate(path)?.line;
  const { block, rescue, always, args, ...rest } = kw;
  if (block) {
    if (others.length) throw src.error([...path, others[0]], 'a block cannot also call a module');
    const sub = (list: unknown[] | undefined, key: string) => list?.map((t, i) => parseTask(t, src, [...path, key, i]));
    return { ...rest, block: sub(block, 'block'), rescue: sub(rescue, 'rescue'), always: sub(always, 'always'), source: { file: src.file, line } };
  }
  if (others.length === 1 && isMetaKey(others[0])) {
    const meta = parseMeta(raw[others[0]], Object.keys(keywords), src, path, others[0]);
    return { ...rest, meta, source: { file: src.file, line } };
  }
  if (others.length === 1 && includeActionOf(others[0])) {
    const include = parseInclude(others[0], raw[others[0]], src, path, rest.loop !== undefined || Object.keys(rest).some((k) => k.startsWith('with_')));
    return { ...rest, include, source: { file: src.file, line } };
  }
  if (others.length === 1 && isIncludeVars(others[0])) {
    parseIncludeVars(raw[others[0]], src, [...path, others[0]]);
    return { ...rest, action: includeVarsAction(raw[others[0]], varsDirs(src.file)), source: { file: src.file, line } };
  }
  if (others.length === 0) throw src.error(path, 'no module given: a task needs exactly one module (e.g. `command:`, `file:`)');
  if (others.length > 1) throw src.error([...path, others[1]], `a task calls one module, found '${others[0]}' and '${others[1]}'`);
  // `local_action: copy src=a dest=b`, `action: {module: copy, …}`: the module named inside the value
  const form = ACTION_KEYS.has(others[0]) ? actionForm(others[0], raw[others[0]], src, path) : undefined;
  if (form?.local && rest.delegate_to !== undefined)
    throw src.keyError([...path, 'delegate_to'], 'local_action runs on the controller: it cannot also have delegate_to');
  const name = form?.module ?? others[0];
  const argsPath = [...path, others[0]];
  const module = loadedModule(name);
  if (!module) throw src.error(argsPath, `'${name}' is not a module${didYouMean(name, moduleNames())}`);
  let margs: unknown;
  try {
    margs = moduleArgs(module, form ? form.args : raw[others[0]], args);
  } catch (e) {
    if (!(e instanceof FreeFormError)) throw e;
    throw src.error(argsPath, e.message);
  }
  checkModuleArgs(module, margs, src, argsPath);
  return { ...rest, ...(form?.local ? { delegate_to: 'localhost' } : {}), action: { kind: 'module', module, args: margs }, source: { file: src.file, line } };
};
