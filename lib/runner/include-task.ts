import { dirname } from 'node:path';
import { z } from 'zod';
import { booleanSchema } from '../template/boolean.js';
import { parseKeyValues } from './free-form.js';
import { validate, type PathPart, type YamlSource } from './source.js';
import type { IncludeSpec } from './types.js';

/**
 * Ansible's inclusion keywords as a task: `import_tasks`/`import_role` (static: expanded when the playbook
 * loads, so they validate before the run) and `include_tasks`/`include_role` (dynamic: loaded when reached,
 * templated names and loops allowed).
 */
export const INCLUDE_ACTIONS = ['import_tasks', 'include_tasks', 'import_role', 'include_role', 'include'] as const;
type IncludeAction = (typeof INCLUDE_ACTIONS)[number];

const PREFIXES = ['ansible.builtin.', 'ansible.legacy.'];

/** The inclusion a task key names (`import_tasks`, `ansible.builtin.include_role`...), if it names one. */
export const includeActionOf = (key: string): IncludeAction | undefined => {
  const bare = PREFIXES.reduce((k, p) => (k.startsWith(p) ? k.slice(p.length) : k), key);
  return (INCLUDE_ACTIONS as readonly string[]).includes(bare) ? (bare as IncludeAction) : undefined;
};

// `apply:` keywords given to every included task (include_tasks, include_role)
const applySchema = z.record(z.string(), z.unknown());

const tasksArgs = z.strictObject({ file: z.string().min(1), apply: applySchema.optional() });

const roleArgs = z.strictObject({
  name: z.string().min(1),
  tasks_from: z.string().optional(),
  vars_from: z.string().optional(),
  defaults_from: z.string().optional(),
  handlers_from: z.string().optional(),
  apply: applySchema.optional(),
  public: booleanSchema.optional(),
  allow_duplicates: booleanSchema.optional(),
  rolespec_validate: booleanSchema.optional(),
});

const asMapping = (value: unknown, main: string): unknown => {
  if (typeof value !== 'string') return value;
  const { options, raw } = parseKeyValues(value);
  return raw === undefined ? options : { ...options, [main]: raw };
};

/** Parse an inclusion task's argument (a file name, key=value or a mapping) into its spec. */
export const parseInclude = (key: string, value: unknown, src: YamlSource, path: PathPart[], loops: boolean): IncludeSpec => {
  const action = includeActionOf(key)!;
  const at = [...path, key];
  const from = dirname(src.file);
  if (action === 'import_tasks' || action === 'include_tasks' || action === 'include') {
    const args = validate(tasksArgs, asMapping(value, 'file'), src, at);
    if (action === 'import_tasks' && args.apply)
      throw src.error([...at, 'apply'], "'apply' is for include_tasks: an import's keywords already apply to its tasks");
    if (action === 'import_tasks' && loops) throw src.error(path, "you cannot use loops on 'import_tasks' statements: use 'include_tasks'");
    return { kind: action === 'import_tasks' ? 'import_tasks' : 'include_tasks', file: args.file, apply: args.apply, from, at };
  }
  const { name, apply, tasks_from, vars_from, defaults_from, handlers_from, public: pub } = validate(roleArgs, asMapping(value, 'name'), src, at);
  if (action === 'import_role' && apply) throw src.error([...at, 'apply'], "'apply' is for include_role: an import's keywords already apply to its tasks");
  if (action === 'import_role' && loops) throw src.error(path, "you cannot use loops on 'import_role' statements: use 'include_role'");
  return {
    kind: action,
    role: { name, tasks_from, vars_from, defaults_from, handlers_from, public: pub },
    apply,
    from,
    at,
  };
};
