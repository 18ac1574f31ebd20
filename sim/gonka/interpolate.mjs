// docker compose variable handling: env files (`K=V` and config.env-style `export K=V`) and
// `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `$VAR`, `$$` interpolation, defaults nesting.
import fs from 'node:fs';

export function parseEnvFile(text) {
  const vars = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    vars[m[1]] = unquote(m[2]);
  }
  return vars;
}

function unquote(value) {
  const v = value.trim();
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.at(-1) === v[0]) return v.slice(1, -1);
  const hash = v.search(/\s#/);
  return hash === -1 ? v : v.slice(0, hash).trimEnd();
}

export function readEnvFile(file) {
  if (!file || !fs.existsSync(file)) return {};
  return parseEnvFile(fs.readFileSync(file, 'utf8'));
}

export function interpolate(text, vars) {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch !== '$') {
      out += ch;
      i++;
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
}

function closingBrace(text, from) {
  let depth = 1;
  for (let j = from; j < text.length; j++) {
    if (text[j] === '{') depth++;
    if (text[j] === '}' && --depth === 0) return j;
  }
  throw new Error(`unterminated variable reference in: ${text.slice(from - 2, from + 40)}`);
}

function expandBraced(expr, vars) {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])(.*))?$/s.exec(expr);
  if (!m) throw new Error(`invalid interpolation format for "\${${expr}}"`);
  const [, name, op, rest] = m;
  const value = vars[name];
  const unset = value === undefined;
  const empty = unset || value === '';
  if (!op) return value ?? '';
  const missing = op.startsWith(':') ? empty : unset;
  switch (op.at(-1)) {
    case '-':
      return missing ? interpolate(rest, vars) : value;
    case '+':
      return missing ? '' : interpolate(rest, vars);
    default:
      if (missing) throw new Error(`required variable ${name} is missing a value: ${interpolate(rest, vars)}`);
      return value;
  }
}
