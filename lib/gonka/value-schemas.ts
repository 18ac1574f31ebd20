import { z } from 'zod';
import { hasControlChar } from '../template/file-quoting.js';

const noControlChars = (s: string) => !hasControlChar(s);
const CONTROL_MESSAGE = 'must not contain a newline or another control character';

/** An absolute path on a host. Anything else a shell, compose or systemd would read specially is quoted where it is written. */
export const AbsolutePathSchema = z.string().startsWith('/', 'must be an absolute path').refine(noControlChars, CONTROL_MESSAGE);

/** A host directory mounted into containers: compose's short volume syntax (`SRC:DST`) has no way to quote a `:`. */
export const MountedPathSchema = AbsolutePathSchema.refine((s) => !s.includes(':'), "must not contain ':' (docker compose's volume syntax splits on it)");

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
