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
