/**
 * Ansible's `key=value` task arguments (lib/ansible/parsing/splitter.py: split_args, parse_kv), the
 * form `file: path=/x state=directory` and `command: make creates=/x` take.
 */

export class FreeFormError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FreeFormError';
  }
}

/** The keys command and shell take out of their free-form string; everything else is the command. */
export const COMMAND_KEYS: ReadonlySet<string> = new Set([
  'creates',
  'removes',
  'chdir',
  'executable',
  'warn',
  'stdin',
  'stdin_add_newline',
  'strip_empty_ends',
]);

// the quote a token leaves open (or closes), a backslash escaping the next quote
const quoteAfter = (token: string, open: string | undefined): string | undefined => {
  let quote = open;
  for (let i = 0; i < token.length; i++) {
    const c = token[i];
    if ((c !== '"' && c !== "'") || token[i - 1] === '\\') continue;
    if (quote === undefined) quote = c;
    else if (c === quote) quote = undefined;
  }
  return quote;
};

const count = (s: string, sub: string): number => s.split(sub).length - 1;

const JINJA_PAIRS = [
  ['{{', '}}'],
  ['{%', '%}'],
  ['{#', '#}'],
] as const;

/**
 * Split on whitespace, keeping together what quotes or a `{{ … }}`, `{% … %}`, `{# … #}` hold, and
 * keeping the original spacing inside them. Newlines separate too but are kept on the word before.
 */
export const splitArgs = (args: string): string[] => {
  const params: string[] = [];
  let quote: string | undefined;
  const depth = [0, 0, 0];
  const inJinja = () => depth.some((d) => d > 0);
  const lines = args.split('\n');
  lines.forEach((line, lineIndex) => {
    let continued = false;
    line.split(' ').forEach((token, i) => {
      if (token === '' && i !== 0) {
        // consecutive spaces: kept, so quoted text comes back as it was written
        if (params.length === 0) params.push('');
        params[params.length - 1] += ' ';
        return;
      }
      if (token === '\\' && quote === undefined) {
        continued = true;
        return;
      }
      const wasQuoted = quote !== undefined;
      quote = quoteAfter(token, quote);
      const quoted = quote !== undefined;
      let placed = false;
      if (quoted && !wasQuoted && !inJinja()) {
        params.push(token);
        placed = true;
      } else if (inJinja() || quoted || wasQuoted) {
        params[params.length - 1] = `${params[params.length - 1] ?? ''}${i > 0 ? ' ' : ''}${token}`;
        placed = true;
      }
      JINJA_PAIRS.forEach(([open, close], k) => {
        const before = depth[k];
        const opened = count(token, open);
        const closed = count(token, close);
        if (opened !== closed) depth[k] = Math.max(0, depth[k] + opened - closed);
        if (depth[k] !== before && !placed) {
          params.push(token);
          placed = true;
        }
      });
      if (!inJinja() && quote === undefined && !placed && token !== '') params.push(token);
    });
    if (lines.length > 1 && lineIndex !== lines.length - 1 && !continued) {
      if (params.length === 0) params.push('');
      params[params.length - 1] += '\n';
    }
  });
  if (quote !== undefined || inJinja()) {
    throw new FreeFormError(`failed at splitting arguments, either an unbalanced jinja2 block or quotes: ${args}`);
  }
  return params;
};

/** Words back into one string, spaces between them unless a word ends a line. */
export const joinArgs = (words: readonly string[]): string => words.reduce((out, w) => (out === '' || out.endsWith('\n') ? out + w : `${out} ${w}`), '');

const ESCAPE = /\\U[0-9a-fA-F]{8}|\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|\\[\\'"abfnrtv]/g;
const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** Python's unicode-escape decoding of `\n`, `\t`, `\xHH`, `\uHHHH`… inside one word. */
const decodeEscapes = (s: string): string =>
  s.replace(ESCAPE, (e) => (e.length === 2 ? SIMPLE_ESCAPES[e[1]] : String.fromCodePoint(Number.parseInt(e.slice(2), 16))));

const unquote = (s: string): string =>
  s.length > 1 && s[0] === s[s.length - 1] && (s[0] === '"' || s[0] === "'") && s[s.length - 2] !== '\\' ? s.slice(1, -1) : s;

// the first `=` not escaped by a backslash (never the first character: `=x` is not an assignment)
const assignmentAt = (word: string): number => {
  for (let i = 1; i < word.length; i++) if (word[i] === '=' && word[i - 1] !== '\\') return i;
  return -1;
};

export interface KeyValues {
  options: Record<string, string>;
  /** the words that are not `key=value` (command and shell: those whose key is not one of theirs), joined */
  raw?: string;
}

/**
 * `key=value` words into options, the rest into `raw`. With `rawKeys`, only those keys are options and
 * every other word (a `k=v` too) stays raw, as command and shell read their free-form string.
 */
export const parseKeyValues = (args: string, rawKeys?: ReadonlySet<string>): KeyValues => {
  const options: Record<string, string> = {};
  const raw: string[] = [];
  for (const word of splitArgs(args)) {
    const decoded = decodeEscapes(word);
    if (!decoded.includes('=')) {
      raw.push(word);
      continue;
    }
    const at = assignmentAt(decoded);
    if (at < 0) {
      raw.push(decoded.replaceAll('\\=', '='));
      continue;
    }
    const key = decoded.slice(0, at);
    if (rawKeys && !rawKeys.has(key)) {
      raw.push(word);
      continue;
    }
    options[key.trim()] = unquote(decoded.slice(at + 1).trim());
  }
  return raw.length ? { options, raw: joinArgs(raw) } : { options };
};
