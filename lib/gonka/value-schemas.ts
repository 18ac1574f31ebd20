import { z } from 'zod';

// A newline ends a line of config.env, a unit file or an env file, so no reader could keep one; the other
// control characters are never meant and would reach those files unseen.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** True when a value holds a character no file nop writes can carry (newline, tab, escape...). */
export const hasControlChar = (value: string): boolean => CONTROL.test(value);

const noControlChars = (s: string) => !hasControlChar(s);
const CONTROL_MESSAGE = 'must not contain a newline or another control character';

/** An absolute path on a host. Anything else a shell, compose or systemd would read specially is quoted where it is written. */
export const AbsolutePathSchema = z.string().startsWith('/', 'must be an absolute path').refine(noControlChars, CONTROL_MESSAGE);

/**
 * An http(s) URL of a Gonka endpoint: scheme, host, optional port and path, nothing a shell or compose would
 * read specially (`z.url()` alone accepts `http://x/$(id)`). Endpoints have no query, fragment or credentials.
 */
export const HttpUrlSchema = z
  .url({ protocol: /^https?$/ })
  .regex(
    /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~%/-]*)?$/,
    'expected http(s)://HOST[:PORT][/PATH] (letters, digits and . _ ~ % / - in the path)',
  );

/** The keyring password: any printable characters (config.env quotes it), on one line (it goes to inferenced on stdin). */
export const KeyringPasswordSchema = z.string().min(8, 'at least 8 characters').refine(noControlChars, CONTROL_MESSAGE);
