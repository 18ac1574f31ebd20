/** A compose file's `${…}` reference that cannot be expanded (unterminated, malformed, or `${X:?message}` with X unset). */
export class InterpolationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InterpolationError';
  }
}

const closingBrace = (text: string, from: number): number => {
  let depth = 1;
  for (let j = from; j < text.length; j++) {
    if (text[j] === '{') depth++;
    if (text[j] === '}' && --depth === 0) return j;
  }
  throw new InterpolationError(`unterminated variable reference in: ${text.slice(from - 2, from + 40)}`);
};

const expandBraced = (expr: string, vars: Record<string, string>): string => {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])(.*))?$/s.exec(expr);
  if (!m) throw new InterpolationError(`invalid interpolation format for "\${${expr}}"`);
  const [, name, op, rest] = m;
  const value = vars[name];
  if (!op) return value ?? '';
  const missing = op.startsWith(':') ? value === undefined || value === '' : value === undefined;
  if (op.endsWith('-')) return missing ? interpolate(rest, vars) : value;
  if (op.endsWith('+')) return missing ? '' : interpolate(rest, vars);
  if (missing) throw new InterpolationError(`required variable ${name} is missing a value: ${interpolate(rest, vars)}`);
  return value;
};

/**
 * Expand variables as `docker compose` does: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`,
 * `${VAR:?message}`, `$VAR`, `$$`, with defaults that nest (`${HF_HOME:-${HOME}/.cache}`).
 */
export const interpolate = (text: string, vars: Record<string, string>): string => {
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '$') {
      out += text[i++];
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const end = closingBrace(text, i + 2);
      out += expandBraced(text.slice(i + 2, end), vars);
      i = end + 1;
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
      out += m ? (vars[m[0]] ?? '') : '$';
      i += m ? m[0].length + 1 : 1;
    }
  }
  return out;
};
