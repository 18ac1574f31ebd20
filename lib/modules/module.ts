import type { z } from 'zod';
import type { FileProbe } from '../facts/file-state.js';
import type { HostFacts } from '../facts/host-facts.js';
import type { Become, ExecOptions, ExecResult, PutOptions, Transport } from '../transport/transport.js';

/** A file change a module made (or would make, in check mode): the reporter turns it into a unified diff. */
export interface FileDiff {
  path: string;
  before: string;
  after: string;
  /** content that must never be shown (secrets): the diff says only that it changed */
  redact?: boolean;
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

/** What a module gets to do its work on one host. Everything goes through the host's transport. */
export interface ModuleContext {
  hostname: string;
  transport: Transport;
  facts: HostFacts;
  /** check mode: plan only, change nothing */
  check: boolean;
  /** compute diffs (the runner shows them with --diff) */
  diff: boolean;
  become?: Become;
  /** task/play `environment` and the host's `nop_env`, applied to every exec */
  env: Record<string, string>;
  /** all variables visible to the task (hostvars, facts, registered results...) */
  vars: Record<string, unknown>;
  /** run a shell script on the host with the task's become and environment */
  exec(script: string, opts?: ExecOptions): Promise<ExecResult>;
  /** zx-style: interpolations are shell-quoted; a non-zero exit throws CommandError */
  $(strings: TemplateStringsArray, ...values: unknown[]): Promise<ExecResult>;
  /** write a file atomically with the task's become */
  put(dest: string, content: Buffer | string, opts?: PutOptions): Promise<void>;
  /** render a Handlebars template string with the task's variables (strict) */
  render(template: string, extraVars?: Record<string, unknown>): string;
  /** absolute local path of a template, searched in the role's templates/, then the playbook's and the project's */
  findTemplate(name: string): Promise<string>;
  /** absolute local path of a file for `copy src:` (role files/, playbook dir, cwd) */
  findFile(name: string): Promise<string>;
  /** a progress line for the live display (model loading, sync height...) */
  progress(line: string): void;
  /** run another module from TypeScript task code, with the same context */
  module(name: string, args: unknown): Promise<ModuleResult>;
  /**
   * The same task's context on another inventory host (the run's connection to it, its environment), for
   * work that must happen there, as `delegate_to` does for a whole task: e.g. an ML server's calls to the admin
   * API that only its network node can reach.
   */
  onHost(host: string): Promise<ModuleContext>;
}

export interface ModuleDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  /** zod schema of the arguments: validates YAML and types the TypeScript API */
  args: S;
  /** for free-form modules (`command: ls -l`), the argument a bare string becomes */
  freeForm?: string;
  /** paths whose state `run` will read, so the runner can fetch many tasks' state in one round trip */
  probes?(args: z.output<S>): FileProbe[];
  run(args: z.output<S>, ctx: ModuleContext): Promise<ModuleResult>;
}

export const defineModule = <S extends z.ZodType>(def: ModuleDefinition<S>): ModuleDefinition<S> => def;

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly result: ExecResult,
  ) {
    super(`command failed (rc=${result.code}): ${command}\n${result.stderr.trim()}`);
    this.name = 'CommandError';
  }
}
