import { shellJoin } from './shell-quote.js';
import { prependStdin, type Stdin } from './stdin.js';
import type { Become } from './transport.js';

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

/** Prefix env assignments to a script (both transports run scripts through a shell). */
export const withEnv = (script: string, env: Record<string, string> | undefined, cwd: string | undefined): string => {
  const assigns = Object.entries(env ?? {})
    .map(([k, v]) => `export ${k}=${shellJoin([v])}; `)
    .join('');
  const chdir = cwd ? `cd ${shellJoin([cwd])} && ` : '';
  return `${assigns}${chdir}${script}`;
};
