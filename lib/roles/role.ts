import type { z } from 'zod';
import type { ModuleContext, ModuleResult } from '../modules/module.js';

/**
 * A role task: either a builtin module call (args may depend on the role's variables) or TypeScript
 * code that reads the host through the context and returns a module result. The runner applies the
 * task keywords (when, tags, register, notify, no_log, ignore_errors, check mode) the same way for
 * both, and the same way as for YAML tasks.
 */
export interface RoleTask<V> {
  name: string;
  tags?: string[];
  when?: (vars: V, ctx: ModuleContext) => boolean;
  module?: string;
  args?: unknown | ((vars: V, ctx: ModuleContext) => unknown);
  run?: (ctx: ModuleContext, vars: V) => Promise<ModuleResult>;
  register?: string;
  notify?: string[];
  no_log?: boolean;
  ignore_errors?: boolean;
  /** TypeScript tasks that only read state run in check mode too (Ansible's check_mode: false) */
  check_mode?: boolean;
  /** the inventory host the task runs on instead (Ansible's delegate_to); undefined: this host */
  delegate_to?: (vars: V) => string | undefined;
}

export interface RoleDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  /** the role's variables, validated (with defaults.yml merged under them) before its first task runs */
  vars: S;
  tasks: RoleTask<z.output<S>>[];
  handlers?: RoleTask<z.output<S>>[];
}

export const defineRole = <S extends z.ZodType>(def: RoleDefinition<S>): RoleDefinition<S> => def;
