import { shellJoin } from './shell-quote.js';

/**
 * Reads env records from stdin and exports them, before the script runs, in the same shell. Only builtins
 * (read, export, [, unset) touch the values, so none of them ever appears in a process's argv (`ps`), and being
 * inside the shell that sudo starts, they survive become (sudo resets the environment it was given).
 * Record: `NAME LINES\n` then the value's LINES lines; an empty line ends the prologue. `read` consumes stdin
 * one byte at a time from a pipe, so everything after the prologue reaches the script untouched.
 */
const READER = [
  'while IFS=" " read -r __nop_k __nop_n && [ -n "$__nop_k" ]; do',
  '__nop_v=; __nop_i=0',
  'while [ "$__nop_i" -lt "$__nop_n" ]; do',
  'IFS= read -r __nop_l || exit 125',
  'if [ "$__nop_i" -eq 0 ]; then __nop_v=$__nop_l; else __nop_v="$__nop_v',
  '$__nop_l"; fi',
  '__nop_i=$((__nop_i + 1))',
  'done',
  'export "$__nop_k=$__nop_v"',
  'done',
  'unset __nop_k __nop_n __nop_v __nop_l __nop_i',
].join('\n');

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const record = (name: string, value: string): string => {
  if (!NAME.test(name)) throw new Error(`invalid environment variable name ${JSON.stringify(name)}`);
  if (value.includes('\0')) throw new Error(`environment variable ${name}: a value cannot hold a NUL byte`);
  const lines = value.split('\n');
  return `${name} ${lines.length}\n${lines.join('\n')}\n`;
};

/**
 * The script with its env and cwd applied: the env values go into `prologue`, which must come first on the
 * command's stdin; the script text itself names no value.
 */
export const withEnv = (script: string, env: Record<string, string> | undefined, cwd: string | undefined): { script: string; prologue?: Buffer } => {
  const entries = Object.entries(env ?? {});
  const chdir = cwd ? `cd ${shellJoin([cwd])} && ` : '';
  if (entries.length === 0) return { script: `${chdir}${script}` };
  const prologue = Buffer.from(`${entries.map(([k, v]) => record(k, v)).join('')}\n`);
  return { script: `${READER}\n${chdir}${script}`, prologue };
};
