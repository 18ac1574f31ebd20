import { shellQuote } from '../transport/shell-quote.js';

// a newline ends a line of config.env, a compose or a unit file: no reader could keep one (nor a tab or escape, unseen)
const CONTROL = /[\u0000-\u001f\u007f]/;

/** True when a value holds a character no line-based file can carry (newline, tab, escape...). */
export const hasControlChar = (value: string): boolean => CONTROL.test(value);

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
