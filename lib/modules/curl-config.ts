import { z } from 'zod';

// curl's config-file string syntax: double quotes with backslash escapes
const quoteValue = (value: string): string =>
  `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;

/**
 * A curl config (read with `curl -K -` from stdin): URLs, headers and bodies may hold secrets,
 * and stdin keeps them out of the process list and out of any log of the command line.
 */
export const curlConfig = (options: readonly (readonly [string, string])[]): string =>
  options.map(([key, value]) => `${key} = ${quoteValue(value)}\n`).join('');

/** HTTP headers as a task gives them; values are strings on the wire. */
export const headersArg = z.record(
  z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'not a valid header name'),
  z.union([z.string(), z.number()]).transform(String),
);

export const headerOptions = (headers: Record<string, string> | undefined): [string, string][] =>
  Object.entries(headers ?? {}).map(([k, v]) => ['header', `${k}: ${v}`]);
