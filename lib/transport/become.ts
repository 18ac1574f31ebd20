import { withEnv } from './env-prologue.js';
import { shellJoin } from './shell-quote.js';
import { prependStdin, type Stdin } from './stdin.js';
import type { Become, ExecOptions } from './transport.js';

/**
 * Wrap a script so it runs as another user through sudo.
 * Without a password `sudo -n` fails fast instead of hanging on a prompt; with one, the password is the
 * first line of stdin (`-S`), so it never appears in a process list or a log.
 */
export const wrapBecome = (script: string, become: Become | undefined, stdin: Stdin | undefined): { script: string; stdin: Stdin | undefined } => {
  if (!become) return { script, stdin };
  const sudo = become.password === undefined ? ['sudo', '-n'] : ['sudo', '-S', '-p', ''];
  const wrapped = shellJoin([...sudo, '-H', '-u', become.user, '--', '/bin/sh', '-c', script]);
  if (become.password === undefined) return { script: wrapped, stdin };
  return { script: wrapped, stdin: prependStdin(Buffer.from(`${become.password}\n`), stdin) };
};

/**
 * What both transports hand to `/bin/sh -c` for one command, and its stdin: the sudo password line (if any),
 * then the env prologue, then the caller's stdin. Env and cwd apply inside the become-wrapped shell.
 */
export const shellCommand = (
  script: string,
  opts: Pick<ExecOptions, 'env' | 'cwd' | 'become'>,
  stdin: Stdin | undefined,
): { script: string; stdin: Stdin | undefined } => {
  const inner = withEnv(script, opts.env, opts.cwd);
  return wrapBecome(inner.script, opts.become, inner.prologue ? prependStdin(inner.prologue, stdin) : stdin);
};
