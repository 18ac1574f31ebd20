import type { z } from 'zod';
import type { FactRef, FactRequest } from '../facts/fact.js';
import type { ModuleContext, ModuleDefinition, ModuleResult } from '../modules/module.js';
import type { OperatorAction } from './operator-actions.js';
import type { MetaAction } from './meta-task.js';
import type { PlayInput, TaskKeywords } from './playbook-schema.js';

export interface SourceRef {
  file: string;
  line?: number;
}

type Vars = Record<string, unknown>;

/** How a task does its work: a module with (templated, or computed from the role's variables) args, or a role's TypeScript code. */
export type TaskAction =
  | { kind: 'module'; module: ModuleDefinition; args: unknown; argsFn?: undefined }
  | { kind: 'module'; module: ModuleDefinition; args?: undefined; argsFn: (vars: Vars) => unknown }
  | {
      kind: 'code';
      run: (ctx: ModuleContext, vars: Vars) => Promise<ModuleResult>;
      /** what the code reads, read with the play's other facts */
      facts?: (vars: Vars) => FactRequest[];
      /** what the code can change; undefined: every fact of the host */
      invalidates?: readonly FactRef[];
    };

export interface RoleInstance {
  name: string;
  dir: string;
  /** defaults.yml: lowest precedence */
  defaults: Record<string, unknown>;
  /** params given where the play references the role (`{role: x, vars: {...}}`) */
  params: Record<string, unknown>;
  schema?: z.ZodType;
  templateDirs: string[];
  fileDirs: string[];
}

/** An inclusion: `import_*` is expanded at load (it never reaches the runner), `include_*` when reached. */
export interface IncludeSpec {
  kind: 'import_tasks' | 'include_tasks' | 'import_role' | 'include_role';
  /** the tasks file (include_tasks may template it) */
  file?: string;
  role?: { name: string; tasks_from?: string; vars_from?: string; defaults_from?: string; handlers_from?: string; public?: boolean };
  /** include_*: keywords given to every included task */
  apply?: Record<string, unknown>;
  /** the including file's directory: a relative file is looked up there first */
  from: string;
  /** where the task is in its file, for errors */
  at: (string | number)[];
}

export interface TaskSpec extends Omit<TaskKeywords, 'block' | 'rescue' | 'always' | 'args'> {
  action?: TaskAction;
  include?: IncludeSpec;
  /** `meta:`: an action on the play (flush_handlers, end_host…), run by the play loop */
  meta?: MetaAction;
  block?: TaskSpec[];
  rescue?: TaskSpec[];
  always?: TaskSpec[];
  /** TypeScript `when` of a role task */
  whenFn?: (vars: Record<string, unknown>, ctx: ModuleContext) => boolean;
  /** TypeScript `delegate_to` of a role task, given its validated variables */
  delegateFn?: (vars: Record<string, unknown>) => string | undefined;
  role?: RoleInstance;
  /** conditions inherited from a role reference or an enclosing block */
  inheritedWhen?: TaskKeywords['when'][];
  source: SourceRef;
}

export interface PlaySpec extends Omit<PlayInput, 'roles' | 'pre_tasks' | 'tasks' | 'post_tasks' | 'handlers'> {
  /** pre_tasks, then roles' tasks and tasks, then post_tasks (handlers run after each), in Ansible's order */
  sections: TaskSpec[][];
  handlers: TaskSpec[];
  /** the roles' preconditions: checked for every host before the first play changes anything (preconditions.ts) */
  preconditions?: TaskSpec[];
  /** variables loaded from vars_files */
  fileVars: Record<string, unknown>;
  source: SourceRef;
  /** roles the play has brought in so far (dependencies run once, handlers join once); include_role adds to it */
  roles: { seen: Set<string>; handlerKeys: Set<string> };
  /** the directory of the playbook file the play is in (an imported playbook's own): roles and includes are found from here */
  dir: string;
}

export interface Playbook {
  file: string;
  dir: string;
  plays: PlaySpec[];
}

export type TaskStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

export interface HostStats {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

export type RunEvent =
  | { type: 'playbook_start'; file: string; check: boolean }
  | { type: 'play_start'; name: string; hosts: string[] }
  | { type: 'task_start'; host: string; task: string }
  | { type: 'task_progress'; host: string; task: string; line: string }
  | {
      type: 'task_result';
      host: string;
      task: string;
      status: TaskStatus;
      result: Record<string, unknown>;
      diff?: string;
      item?: string;
      ignored?: boolean;
      verbose?: boolean;
    }
  | { type: 'host_done'; host: string }
  | { type: 'warning'; message: string }
  /** -vvv: how a host is reached and every command run on it (secrets redacted) */
  | { type: 'verbose'; host: string; message: string }
  | { type: 'play_end'; name: string }
  | { type: 'recap'; stats: Record<string, HostStats>; retryFile?: string; retryCommand?: string; operatorActions: OperatorAction[] };

export type EventSink = (event: RunEvent) => void;
