// Ansible parses INI values with Python's ast.literal_eval and keeps the raw text when that
// fails, so `8080` is a number, `True` a boolean, `'8080'` a string and `yes` stays `yes`.
// This is the subset of Python literal syntax that can turn up in an inventory.
import { isNumber, numberResult, type PyFloat, pyFloat } from '../template/py-float.js';

class NotALiteral extends Error {}

// one instance, thrown for every value that is not a literal (most host variables): an Error per value
// would capture a stack trace each time, the largest cost of reading a 10,000-host INI inventory
const NOT_A_LITERAL = new NotALiteral();

const fail = (): never => {
  throw NOT_A_LITERAL;
};

const DIGITS = String.raw`\d(?:_?\d)*`;
const NUMBER = new RegExp(
  '^(?:' +
    [
      String.raw`0[xX](?:_?[0-9a-fA-F])+`,
      String.raw`0[oO](?:_?[0-7])+`,
      String.raw`0[bB](?:_?[01])+`,
      String.raw`(?:${DIGITS})?\.${DIGITS}(?:[eE][+-]?${DIGITS})?`,
      String.raw`${DIGITS}\.(?:${DIGITS})?(?:[eE][+-]?${DIGITS})?`,
      String.raw`${DIGITS}[eE][+-]?${DIGITS}`,
      String.raw`[1-9](?:_?\d)*`,
      String.raw`0(?:_?0)*`,
    ].join('|') +
    String.raw`)(?![\w.])`,
);
const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '\n': '',
};

// a float literal (`1.0`, `2.5e3`) stays a Python float: lib/template/py-float.ts
const toNumber = (text: string): number | PyFloat => {
  const clean = text.replace(/_/g, '');
  const prefixed = /^0[xXoObB]/.test(clean);
  const value = prefixed ? Number(clean.toLowerCase()) : Number(clean);
  const isInt = prefixed || !/[.eE]/.test(clean);
  // a Python int beyond 2^53 would lose digits as a JS number: keep the text instead
  if (isInt && !Number.isSafeInteger(value)) fail();
  return isInt ? value : pyFloat(value);
};

const unescapeBody = (body: string): string =>
  body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|[\s\S])/g, (whole, esc: string) => {
    if (esc in SIMPLE_ESCAPES && !/^[0-7]{2,3}$/.test(esc)) return SIMPLE_ESCAPES[esc];
    if (/^[xuU]/.test(esc) && esc.length > 1) return String.fromCodePoint(parseInt(esc.slice(1), 16));
    if (/^[0-7]+$/.test(esc)) return String.fromCodePoint(parseInt(esc, 8));
    return whole;
  });

const parser = (src: string) => {
  let pos = 0;

  const skipSpace = (): void => {
    for (;;) {
      const m = /^(?:[ \t\f]+|\\\n|#[^\n]*)/.exec(src.slice(pos));
      if (!m || m[0].length === 0) return;
      pos += m[0].length;
    }
  };

  const peek = (): string => {
    skipSpace();
    return src[pos] ?? '';
  };

  const expect = (ch: string): void => {
    if (peek() !== ch) fail();
    pos += 1;
  };

  const stringLiteral = (): string | undefined => {
    const m = /^([rRuUbB]|[rR][bB]|[bB][rR])?('''|"""|'|")/.exec(src.slice(pos));
    if (!m) return undefined;
    const raw = /r/i.test(m[1] ?? '');
    const quote = m[2];
    pos += m[0].length;
    let body = '';
    for (;;) {
      if (pos >= src.length) fail();
      if (src.startsWith(quote, pos)) break;
      const ch = src[pos];
      if (ch === '\n' && quote.length === 1) fail();
      if (ch === '\\') {
        body += src.slice(pos, pos + 2);
        pos += 2;
        continue;
      }
      body += ch;
      pos += 1;
    }
    pos += quote.length;
    return raw ? body : unescapeBody(body);
  };

  const strings = (): string | undefined => {
    let result: string | undefined;
    for (;;) {
      skipSpace();
      const next = stringLiteral();
      if (next === undefined) return result;
      result = (result ?? '') + next;
    }
  };

  const sequence = (close: string): unknown[] => {
    const items: unknown[] = [];
    while (peek() !== close) {
      items.push(atom());
      if (peek() !== ',') break;
      pos += 1;
    }
    expect(close);
    return items;
  };

  const dict = (firstKey: unknown): Record<string, unknown> => {
    const result: Record<string, unknown> = {};
    let key = firstKey;
    for (;;) {
      expect(':');
      result[String(key)] = atom();
      if (peek() !== ',') break;
      pos += 1;
      if (peek() === '}') break;
      key = atom();
    }
    expect('}');
    return result;
  };

  // `{}` is a dict, `{1, 2}` a set (a list for us), `{'a': 1}` a dict
  const braces = (): unknown => {
    if (peek() === '}') {
      pos += 1;
      return {};
    }
    const first = atom();
    if (peek() === ':') return dict(first);
    const items = [first];
    while (peek() === ',') {
      pos += 1;
      if (peek() === '}') break;
      items.push(atom());
    }
    expect('}');
    return items;
  };

  const atom = (): unknown => {
    const ch = peek();
    const text = strings();
    if (text !== undefined) return text;
    if (ch === '[' || ch === '(' || ch === '{') pos += 1;
    if (ch === '[') return sequence(']');
    if (ch === '(') return sequence(')');
    if (ch === '{') return braces();
    if (ch === '-' || ch === '+') {
      pos += 1;
      const operand = atom();
      if (!isNumber(operand)) fail();
      return ch === '-' ? numberResult(-Number(operand), operand) : operand;
    }
    const word = /^(?:True|False|None)(?!\w)/.exec(src.slice(pos))?.[0];
    if (word) {
      pos += word.length;
      return word === 'True' ? true : word === 'False' ? false : null;
    }
    const num = NUMBER.exec(src.slice(pos))?.[0] ?? fail();
    pos += num.length;
    return toNumber(num);
  };

  // a bare `1, 2` is a tuple in Python
  const top = (): unknown => {
    if (/^\s/.test(src)) fail(); // Python's IndentationError
    const items = [atom()];
    let tuple = false;
    while (peek() === ',') {
      pos += 1;
      tuple = true;
      if (peek() === '') break;
      items.push(atom());
    }
    if (peek() !== '') fail();
    return tuple ? items : items[0];
  };

  return { top };
};

/** The value Ansible's INI plugin gives `text`: a Python literal's value, else the text itself. */
export const parseIniValue = (text: string): unknown => {
  try {
    return parser(text).top();
  } catch (e) {
    if (e === NOT_A_LITERAL) return text;
    throw e;
  }
};
