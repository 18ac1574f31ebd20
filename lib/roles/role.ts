import type { z } from 'zod';
import type { FactRef, FactRequest } from '../facts/fact.js';
import type { Change, ModuleContext, ModuleDefinition, ModuleResult } from '../modules/module.js';

/** Keywords every role task takes, as a YAML task does (`when`, `notify`, `register`…), typed by the role's variables. */
export interface RoleTaskKeywords<V> {
  name: string;
  tags?: string[];
  when?: (vars: V, ctx: ModuleContext) => boolean;
  register?: string;
  notify?: string[];
  no_log?: boolean;
  ignore_errors?: boolean;
  /** tasks that only read state run in check mode too (Ansible's check_mode: false) */
  check_mode?: boolean;
  /** the inventory host the task runs on instead (Ansible's delegate_to); undefined: this host */
  delegate_to?: (vars: V) => string | undefined;
}

/** A module call; its arguments are checked by TypeScript from the module's zod schema, and again at run time. */
export interface ModuleTask<V, S extends z.ZodType = z.ZodType> extends RoleTaskKeywords<V> {
  module: ModuleDefinition<S>;
  args: z.input<S> | ((vars: V) => z.input<S>);
  run?: undefined;
}

/** TypeScript where no module fits. It declares what it reads and what it changes, as a module does. */
export interface CodeTask<V> extends RoleTaskKeywords<V> {
  run: (ctx: ModuleContext, vars: V) => Promise<ModuleResult>;
  /** the facts the code reads: read with the play's other facts, in the same round trip */
  facts?: (vars: V) => FactRequest[];
  /** the facts the code can change; omitted: every fact of the host (the safe default); [] for code that only reads */
  invalidates?: readonly FactRef[];
  module?: undefined;
}

export type RoleTask<V> = CodeTask<V> | ModuleTask<V, z.ZodType>;

type AnyModule = ModuleDefinition<z.ZodType, Change>;

/** One typed builder per module: its arguments checked against the module's schema, `vars` against the role's. */
export type ModuleCalls<V, M extends Record<string, AnyModule>> = {
  [K in keyof M]: (keywords: RoleTaskKeywords<V>, args: z.input<M[K]['args']> | ((vars: V) => z.input<M[K]['args']>)) => ModuleTask<V, M[K]['args']>;
};

/**
 * A role's task builders: `const task = roleTasks(MyVarsSchema, { file: fileModule })`, then
 * `task.file({ name: 'Deploy directory' }, (v) => ({ path: v.dir, state: 'directory' }))`. TypeScript checks the
 * arguments against the module's zod schema (the same schema that checks YAML) and `v` against the role's variables.
 */
export const roleTasks = <RS extends z.ZodType, M extends Record<string, AnyModule>>(_vars: RS, modules: M): ModuleCalls<z.output<RS>, M> =>
  moduleCalls<z.output<RS>>()(modules);

/** The same builders for tasks typed by variables `V` rather than a schema: task factories shared by roles (lib/roles). */
export const moduleCalls =
  <V>() =>
  <M extends Record<string, AnyModule>>(modules: M): ModuleCalls<V, M> =>
    Object.fromEntries(
      Object.entries(modules).map(([key, module]) => [key, (keywords: RoleTaskKeywords<V>, args: unknown) => ({ ...keywords, module, args })]),
    ) as ModuleCalls<V, M>;

/**
 * What must hold before any host is changed: code that only reads the facts it declares and fails (a `failed`
 * result, its `msg` saying what to do) when the host cannot take the role. The runner evaluates every role's
 * preconditions for every host of every play in one batch of fact reads before the first play applies anything,
 * and reports every problem together (lib/runner/preconditions.ts); the facts read stay cached for the plays.
 */
export interface Precondition<V> extends CodeTask<V> {
  facts: (vars: V) => FactRequest[];
  invalidates: readonly [];
}

export interface RoleDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  /** the role's variables, validated (with defaults.yml merged under them) for every host before any play runs, and again before its first task */
  vars: S;
  preconditions?: Precondition<z.output<S>>[];
  tasks: RoleTask<z.output<S>>[];
  handlers?: RoleTask<z.output<S>>[];
}

export const defineRole = <S extends z.ZodType>(def: RoleDefinition<S>): RoleDefinition<S> => def;
