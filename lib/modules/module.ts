import type { z } from 'zod';
import type { FactReader } from '../facts/fact-store.js';
import type { FactRef, FactRequest, KnownFact } from '../facts/fact.js';
import type { Become, ExecOptions, ExecResult, PutOptions, Transport } from '../transport/transport.js';

/** A file change a module made (or would make, in check mode): the reporter turns it into a unified diff. */
export interface FileDiff {
  path: string;
  before: string;
  after: string;
  /** content that must never be shown (secrets): the diff says only that it changed */
  redact?: boolean;
  /** the replaced file was not readable by others: it may hold a secret the run does not know (lib/runner/unified-diff.ts) */
  privateBefore?: boolean;
}

/** Ansible's module contract: changed, failed, msg, diff, plus module-specific return values. */
export interface ModuleResult {
  changed: boolean;
  failed?: boolean;
  skipped?: boolean;
  msg?: string;
  diff?: FileDiff[];
  [key: string]: unknown;
}

/** One difference between the host and the desired state, and what fixing it makes stale. */
export interface Change {
  /** what applying it does, in words ("create /etc/x", "install jq 1.6") */
  summary: string;
  /** shown with --diff, in check mode too */
  diff?: FileDiff;
  /** the facts applying it makes stale; undefined: every fact of the host */
  invalidates?: readonly FactRef[];
  /**
   * What is true once it is applied (set after the invalidation): the tasks after it plan from these instead of
   * reading the host again. Only what is certain: a directory just created is empty; a file just written holds
   * its content.
   */
  becomes?: readonly KnownFact[];
  /** housekeeping the task does not report as a change (a daemon-reload): applied, never counted as changed */
  quiet?: boolean;
}

/** What a module found: the changes that bring the host to the desired state (none: it is there). */
export interface Plan<C extends Change = Change> {
  changes: C[];
  /** return values known once planned (Ansible's: path, mode, checksum…) */
  result?: Record<string, unknown>;
  /** the desired state cannot be reached from here: the task fails with this message */
  failed?: string;
  /**
   * The outcome cannot be known without doing it (a command): check mode reports the task skipped with this
   * message instead of changed.
   */
  unplannable?: string;
}

/** What a module gets to plan and apply on one host. Everything goes through the host's transport. */
export interface ModuleContext {
  hostname: string;
  transport: Transport;
  /** the host's facts, read with this task's become */
  facts: FactReader;
  /** check mode: plan only, change nothing */
  check: boolean;
  /** compute diffs (the runner shows them with --diff) */
  diff: boolean;
  become?: Become;
  /** task/play `environment`, applied to every exec */
  env: Record<string, string>;
  /** all variables visible to the task (hostvars, facts, registered results...) */
  vars: Record<string, unknown>;
  /** run a shell script on the host with the task's become and environment */
  exec(script: string, opts?: ExecOptions): Promise<ExecResult>;
  /**
   * Apply a change whose only outcome is success or failure (mkdir, chmod, ln…), with the task's become and
   * environment. The runner may send it later, together with the next tasks' changes, in one round trip (lib/runner/
   * write-behind.ts); a failure fails this task with CommandError naming the script, as execChecked does.
   */
  change(script: string, opts?: ExecOptions): Promise<void>;
  /**
   * Make a directory that is not there, with its parents (`mkdir -p`), then give it `mode` (exact, whatever the
   * umask; without one, the umask's), with the task's become. A change as `change` is: the runner may send it with
   * the next ones, and where the host has perl no process is started for it (lib/transport/op-batch.ts).
   */
  makeDirectory(path: string, mode?: number): Promise<void>;
  /** zx-style: interpolations are shell-quoted; a non-zero exit throws CommandError */
  $(strings: TemplateStringsArray, ...values: unknown[]): Promise<ExecResult>;
  /** write a file atomically with the task's become */
  put(dest: string, content: Buffer | string, opts?: PutOptions): Promise<void>;
  /** render a Handlebars template string with the task's variables (strict) */
  render(template: string, extraVars?: Record<string, unknown>): string;
  /** render a template file's text by its kind: `.hbs` Handlebars, anything else Jinja2 (Ansible's `.j2`) */
  renderTemplateFile(path: string, text: string, extraVars?: Record<string, unknown>): string;
  /** absolute local path of a template, searched in the role's templates/, then the playbook's and the project's */
  findTemplate(name: string): Promise<string>;
  /** absolute local path of a file for `copy src:` (role files/, playbook dir, cwd) */
  findFile(name: string): Promise<string>;
  /** a progress line for the live display (model loading, sync height...) */
  progress(line: string): void;
  /**
   * The user interrupted the run (the first Ctrl-C): the runner stops after the running tasks, and a task that waits
   * long (a test it must undo) ends its wait early and puts back what it changed. Always false outside a run.
   */
  interrupted(): boolean;
  /** run a module from TypeScript task code, with the same context (plan, check mode, diff and invalidation included) */
  call<S extends z.ZodType>(module: ModuleDefinition<S>, args: z.input<S>): Promise<ModuleResult>;
  /**
   * The same task's context on another inventory host (the run's connection to it, its environment), for
   * work that must happen there, as `delegate_to` does for a whole task: e.g. an ML server's calls to the admin
   * API that only its network node can reach.
   */
  onHost(host: string): Promise<ModuleContext>;
  /**
   * The same task's context on a new connection to this host (the old one dropped: a reboot): later tasks use it
   * too, and nothing read before is trusted. Without a run behind it, a new connection of the same transport kind.
   */
  reconnect(): Promise<ModuleContext>;
}

/**
 * A module: desired state (its zod-checked arguments) → the facts it reads → a plan of changes → apply.
 * Check mode stops after the plan; `changed` means the plan is not empty; --diff shows the changes' diffs;
 * after apply, the facts the changes name are invalidated (all of them when a change names none).
 */
export interface ModuleDefinition<S extends z.ZodType = z.ZodType, C extends Change = Change> {
  name: string;
  /** zod schema of the arguments: validates YAML and types the TypeScript API */
  args: S;
  /** for free-form modules (`command: ls -l`), the argument a bare string becomes */
  freeForm?: string;
  /** Ansible's other names for arguments: alias → canonical name (`dest: 'path'`), folded before `args` checks them */
  aliases?: Readonly<Record<string, string>>;
  /** the name Ansible's collections give it, when not ansible.builtin (`ansible.posix.sysctl`) */
  fqcn?: string;
  /**
   * Ansible's module does not support check mode: there a task of it is skipped, with Ansible's message naming it
   * as Ansible runs it (`ansible.legacy.uri`); TypeScript code calling it (ctx.call) still gets its plan.
   */
  noCheckMode?: { ansibleName: string };
  /** the facts `plan` reads: the runner reads the facts of a play's tasks in one round trip */
  facts?(args: z.output<S>): FactRequest[];
  /** compare the facts with the desired state; never changes the host */
  plan(args: z.output<S>, ctx: ModuleContext): Promise<Plan<C>>;
  /** carry out the changes; the values returned join the task's result (rc, stdout, backup_file…) */
  apply?(changes: C[], args: z.output<S>, ctx: ModuleContext): Promise<Partial<ModuleResult> | undefined>;
}

export const defineModule = <S extends z.ZodType, C extends Change = Change>(def: ModuleDefinition<S, C>): ModuleDefinition<S, C> => def;

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly result: ExecResult,
  ) {
    super(`command failed (rc=${result.code}): ${command}\n${result.stderr.trim()}`);
    this.name = 'CommandError';
  }
}
