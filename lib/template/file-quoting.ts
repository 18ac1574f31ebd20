import { shellQuote } from '../transport/shell-quote.js';

/**
 * True when a value holds a character no line-based file can carry: a newline ends a line of config.env, a
 * compose or a unit file, so no reader could keep one; a tab, an escape or a NUL would reach them unseen.
 */
export const hasControlChar = (value: string): boolean => {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
};

// the value is not shown: it may be the keyring password; the variable was validated (and named) before rendering
const oneLine = (value: string, file: string): string => {
  if (hasControlChar(value)) throw new Error(`a value rendered into ${file} holds a newline or another control character`);
  return value;
};

/** A value in a file a POSIX shell sources (`export K=VALUE`): bare when nothing in it is special to sh, else single-quoted. */
export const shellFileValue = (value: string): string => shellQuote(oneLine(value, 'a shell file'));

// a YAML plain scalar compose reads back unchanged: no blank, comment, quote or flow character, no indicator first
const PLAIN_COMPOSE = /^[A-Za-z0-9_./][\w./:@+=$-]*$/;

/** A value in a compose file: `$` doubled (compose interpolates it), in YAML double quotes unless it is plain. */
export const composeFileValue = (value: string): string => {
  const escaped = oneLine(value, 'a compose file').replace(/\$/g, '$$$$');
  return PLAIN_COMPOSE.test(escaped) ? escaped : JSON.stringify(escaped);
};

// systemd refuses an executable name holding a quote or a backslash ("special characters"), whatever the quoting
const UNIT_EXEC_REFUSED = /["'\\]/;

/** Why `unitExecPath` cannot write this path, or undefined (for a variable's schema, which names the variable). */
export const unitExecPathProblem = (path: string): string | undefined => {
  if (!path.startsWith('/')) return 'must be an absolute path';
  if (hasControlChar(path) || UNIT_EXEC_REFUSED.test(path))
    return 'must not contain a quote, a backslash or a control character (systemd refuses them in an executable path)';
  return undefined;
};

/**
 * An executable path as the first word of a unit's `ExecStart=`: `%` (a specifier) doubled, in double quotes
 * when it holds a blank. `$` needs nothing: systemd expands variables in arguments, never in the executable.
 */
export const unitExecPath = (path: string): string => {
  const problem = unitExecPathProblem(path);
  if (problem) throw new Error(`a unit's executable ${problem}: ${JSON.stringify(path)}`);
  const escaped = path.replace(/%/g, '%%');
  return /\s/.test(escaped) ? `"${escaped}"` : escaped;
};
