import { posix } from 'node:path';
import { z } from 'zod';
import { boolArg } from '../arg-types.js';
import type { ModuleContext, ModuleResult } from '../module.js';

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

export const commandProbes = (spec: CommandSpec) => [spec.creates, spec.removes].filter((p) => p !== undefined).map((p) => ({ path: resolve(spec, p) }));

const skipReason = async (ctx: ModuleContext, spec: CommandSpec): Promise<string | undefined> => {
  if (spec.creates !== undefined && (await ctx.facts.file(resolve(spec, spec.creates))).exists) return `'${spec.creates}' exists`;
  if (spec.removes !== undefined && !(await ctx.facts.file(resolve(spec, spec.removes))).exists) return `'${spec.removes}' does not exist`;
  return undefined;
};

const strip = (s: string, on: boolean) => (on ? s.replace(/[\r\n]+$/, '') : s);
const lines = (s: string) => (s === '' ? [] : s.split(/\r?\n/));

/** Run a command the Ansible way: creates/removes decide first, check mode never runs it, rc != 0 fails. */
export const runCommand = async (ctx: ModuleContext, spec: CommandSpec, script: string, cmd: unknown): Promise<ModuleResult> => {
  const reason = await skipReason(ctx, spec);
  if (reason) return { changed: false, rc: 0, cmd, stdout: `skipped, since ${reason}`, stderr: '', msg: `Did not run command since ${reason}` };
  if (ctx.check) {
    const decided = spec.creates !== undefined || spec.removes !== undefined;
    return { changed: decided, skipped: !decided, rc: 0, cmd, msg: 'Command would have run if not in check mode' };
  }
  const stdin = spec.stdin === undefined ? undefined : spec.stdin_add_newline ? `${spec.stdin}\n` : spec.stdin;
  const res = await ctx.exec(script, { cwd: spec.chdir, stdin });
  // the command may have changed any file: cached file states can no longer be trusted
  ctx.facts.invalidate('/');
  const stdout = strip(res.stdout, spec.strip_empty_ends);
  const stderr = strip(res.stderr, spec.strip_empty_ends);
  return {
    changed: true,
    ...(res.code !== 0 ? { failed: true, msg: 'non-zero return code' } : { msg: '' }),
    rc: res.code,
    cmd,
    stdout,
    stderr,
    stdout_lines: lines(stdout),
    stderr_lines: lines(stderr),
  };
};
