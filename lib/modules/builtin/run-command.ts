import { posix } from 'node:path';
import { z } from 'zod';
import { boolArg } from '../arg-types.js';
import { fileStat } from '../../facts/builtin/file-stat.js';
import { globMatches, isGlob } from '../../facts/builtin/glob-matches.js';
import { request, type FactRequest } from '../../facts/fact.js';
import type { Change, ModuleContext, ModuleResult, Plan } from '../module.js';

/** Arguments `command` and `shell` share. */
export const commandCommonArgs = {
  chdir: z.string().min(1).optional(),
  /** a path that, when it exists, means the command already ran */
  creates: z.string().min(1).optional(),
  /** a path that, when absent, means there is nothing for the command to do */
  removes: z.string().min(1).optional(),
  stdin: z.string().optional(),
  stdin_add_newline: boolArg.default(true),
  strip_empty_ends: boolArg.default(true),
};

export interface CommandSpec {
  chdir?: string;
  creates?: string;
  removes?: string;
  stdin?: string;
  stdin_add_newline: boolean;
  strip_empty_ends: boolean;
}

// creates/removes are relative to chdir, as in Ansible
const resolve = (spec: CommandSpec, path: string): string => (spec.chdir !== undefined && !posix.isAbsolute(path) ? posix.join(spec.chdir, path) : path);

// a guard with glob characters is matched as Ansible's glob.glob does; a plain path is looked up
const exists = async (ctx: ModuleContext, path: string): Promise<boolean> =>
  isGlob(path) ? ctx.facts.read(globMatches, path) : (await ctx.facts.read(fileStat, path)).exists;

const guardFact = (path: string): FactRequest => (isGlob(path) ? request(globMatches, path) : request(fileStat, path));

/** Facts a command's guards read. */
export const commandFacts = (spec: CommandSpec): FactRequest[] =>
  [spec.creates, spec.removes].filter((p) => p !== undefined).map((p) => guardFact(resolve(spec, p)));

/** The guard that keeps the command from running: its path as the task gives it, and why. */
interface Guard {
  path: string;
  why: 'exists' | 'does not exist';
}

const guardThatHolds = async (ctx: ModuleContext, spec: CommandSpec): Promise<Guard | undefined> => {
  if (spec.creates !== undefined && (await exists(ctx, resolve(spec, spec.creates)))) return { path: spec.creates, why: 'exists' };
  if (spec.removes !== undefined && !(await exists(ctx, resolve(spec, spec.removes)))) return { path: spec.removes, why: 'does not exist' };
  return undefined;
};

// Ansible's words for a guarded command that does not run: the path quoted in msg, bare in stdout
const notRun = (ctx: ModuleContext, g: Guard, cmd: unknown): Record<string, unknown> => ({
  rc: 0,
  cmd,
  stdout: `skipped, since ${g.path} ${g.why}`,
  stderr: '',
  msg: `${ctx.check ? 'Would' : 'Did'} not run command since '${g.path}' ${g.why}`,
});

const strip = (s: string, on: boolean) => (on ? s.replace(/[\r\n]+$/, '') : s);
const lines = (s: string) => (s === '' ? [] : s.split(/\r?\n/));

/** Running the command; it may change anything, so it names no facts: all of the host's are invalidated. */
export interface RunChange extends Change {
  script: string;
}

/** The Ansible way: creates/removes decide first; check mode cannot know what a command would do. */
export const planCommand = async (ctx: ModuleContext, spec: CommandSpec, script: string, cmd: unknown): Promise<Plan<RunChange>> => {
  const guard = await guardThatHolds(ctx, spec);
  if (guard) return { changes: [], result: notRun(ctx, guard, cmd) };
  const guarded = spec.creates !== undefined || spec.removes !== undefined;
  return {
    changes: [{ summary: `run ${typeof cmd === 'string' ? cmd : JSON.stringify(cmd)}`, script }],
    // what check mode reports (apply replaces it): Ansible's empty output, so a registered result reads the same
    result: {
      cmd,
      rc: 0,
      stdout: '',
      stderr: '',
      stdout_lines: [],
      stderr_lines: [],
      ...(guarded ? { msg: 'Command would have run if not in check mode' } : {}),
    },
    unplannable: guarded ? undefined : 'Command would have run if not in check mode',
  };
};

/** rc != 0 fails the task. */
export const applyCommand = async (ctx: ModuleContext, spec: CommandSpec, change: RunChange): Promise<Partial<ModuleResult>> => {
  const stdin = spec.stdin === undefined ? undefined : spec.stdin_add_newline ? `${spec.stdin}\n` : spec.stdin;
  const res = await ctx.exec(change.script, { cwd: spec.chdir, stdin });
  const stdout = strip(res.stdout, spec.strip_empty_ends);
  const stderr = strip(res.stderr, spec.strip_empty_ends);
  return {
    ...(res.code !== 0 ? { failed: true, msg: 'non-zero return code' } : { msg: '' }),
    rc: res.code,
    stdout,
    stderr,
    stdout_lines: lines(stdout),
    stderr_lines: lines(stderr),
  };
};
