/**
 * Quote one argument for a POSIX shell. Single quotes, not zx's `quote`: that emits bash's `$'…'`,
 * which dash (/bin/sh on Debian and Ubuntu) reads as a literal `$` followed by a quoted string.
 */
export const shellQuote = (arg: string): string => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

/** Join argv into one POSIX shell command line. */
export const shellJoin = (argv: readonly string[]): string => argv.map(shellQuote).join(' ');

/** `sh\`cmd ${arg}\`` builds a command line whose interpolations are quoted (arrays become several arguments). */
export const shellTemplate = (strings: TemplateStringsArray, ...values: unknown[]): string =>
  strings.reduce((out, part, i) => {
    if (i >= values.length) return out + part;
    const value = values[i];
    const quoted = Array.isArray(value) ? value.map((v) => shellQuote(String(v))).join(' ') : shellQuote(String(value));
    return out + part + quoted;
  }, '');
