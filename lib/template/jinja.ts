import { evaluate, evaluateLoose, ExpressionError, isUndefined, Macro, type EvalEnv } from './expression.js';
import { truthy } from './filters.js';
import { loopPosition } from './loop-position.js';
import { overlayVars } from './overlay.js';
import { PyFloat } from './py-float.js';
import { outputOf } from './python-repr.js';

/**
 * Jinja2 templates with Ansible's settings (trim_blocks on, lstrip_blocks off, trailing newline kept):
 * `{{ }}`, `{% if/elif/else %}`, `{% for %}` with `loop.*` and `else`, `{% set %}` (and block set),
 * `{% macro %}`, `{% raw %}`, `{# #}` and `-` whitespace control. Expressions are lib/template/expression.ts's,
 * the same as `when:` and values use.
 */

type Vars = Record<string, unknown>;

export class TemplateSyntaxError extends Error {
  constructor(message: string, line: number) {
    super(`template error at line ${line}: ${message}`);
    this.name = 'TemplateSyntaxError';
  }
}

type Token = { kind: 'text'; text: string } | { kind: 'out' | 'tag'; text: string; line: number };

// the end of a `{{ … }}` or `{% … %}`: the first closer outside quotes and brackets
const closerAt = (src: string, from: number, closer: string): number => {
  let quote: string | undefined;
  let depth = 0;
  for (let i = from; i < src.length; i++) {
    const c = src[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (depth === 0 && src.startsWith(closer, i)) return i;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth = Math.max(0, depth - 1);
  }
  return -1;
};

const lineAt = (src: string, i: number) => src.slice(0, i).split('\n').length;

const tokenize = (src: string): Token[] => {
  const tokens: Token[] = [];
  let i = 0;
  let text = '';
  let trimNext = false;
  const pushText = (t: string) => {
    text += t;
  };
  const flush = (stripRight: boolean) => {
    tokens.push({ kind: 'text', text: stripRight ? text.replace(/\s+$/, '') : text });
    text = '';
  };
  while (i < src.length) {
    const open = src.slice(i).search(/\{[{%#]/);
    if (open < 0) {
      pushText(src.slice(i));
      break;
    }
    pushText(src.slice(i, i + open));
    if (trimNext) {
      text = text.replace(/^\s+/, '');
      trimNext = false;
    }
    const start = i + open;
    const kind = src[start + 1];
    const stripLeft = src[start + 2] === '-';
    const bodyStart = start + 2 + (stripLeft || src[start + 2] === '+' ? 1 : 0);
    const closer = kind === '{' ? '}}' : kind === '%' ? '%}' : '#}';
    const end = kind === '#' ? src.indexOf('#}', bodyStart) : closerAt(src, bodyStart, closer);
    if (end < 0) throw new TemplateSyntaxError(`unclosed '{${kind}'`, lineAt(src, start));
    const stripRight = src[end - 1] === '-';
    const body = src.slice(bodyStart, stripRight ? end - 1 : end).trim();
    flush(stripLeft);
    i = end + 2;
    if (kind === '%' && /^raw$/.test(body)) {
      const close = /\{%-?\s*endraw\s*-?%\}/.exec(src.slice(i));
      if (!close) throw new TemplateSyntaxError("missing '{% endraw %}'", lineAt(src, start));
      tokens.push({ kind: 'text', text: src.slice(i, i + close.index) });
      i += close.index + close[0].length;
    } else if (kind === '{') tokens.push({ kind: 'out', text: body, line: lineAt(src, start) });
    else if (kind === '%') tokens.push({ kind: 'tag', text: body, line: lineAt(src, start) });
    if (stripRight) trimNext = true;
    // trim_blocks: the newline right after a block tag or comment goes
    else if (kind !== '{' && src[i] === '\n') i++;
    else if (kind !== '{' && src.startsWith('\r\n', i)) i += 2;
  }
  if (trimNext) text = text.replace(/^\s+/, '');
  flush(false);
  return tokens.filter((t) => t.kind !== 'text' || t.text !== '');
};

type Node =
  | { type: 'text'; text: string }
  | { type: 'out'; expr: string; line: number }
  | { type: 'if'; branches: { cond: string; body: Node[] }[]; otherwise: Node[]; line: number }
  | { type: 'for'; targets: string[]; iter: string; filter?: string; body: Node[]; otherwise: Node[]; line: number }
  | { type: 'set'; targets: string[]; expr: string; line: number }
  | { type: 'setblock'; name: string; body: Node[] }
  | { type: 'macro'; name: string; params: { name: string; dflt?: string }[]; body: Node[] };

const IDENT = /^[A-Za-z_]\w*$/;

// `a, b=2, c='x'` at top level (commas inside brackets or quotes stay)
const splitTopLevel = (s: string): string[] => {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote && s[i - 1] !== '\\') quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
};

class Parser {
  i = 0;
  constructor(readonly tokens: Token[]) {}

  parse(ends: string[], openedAt = 1): { body: Node[]; end?: string; endText?: string } {
    const body: Node[] = [];
    while (this.i < this.tokens.length) {
      const t = this.tokens[this.i++];
      if (t.kind === 'text') body.push({ type: 'text', text: t.text });
      else if (t.kind === 'out') body.push({ type: 'out', expr: t.text, line: t.line });
      else {
        const word = /^\w+/.exec(t.text)?.[0] ?? '';
        if (ends.includes(word)) return { body, end: word, endText: t.text };
        body.push(this.statement(word, t as Extract<Token, { kind: 'tag' }>));
      }
    }
    if (ends.length) throw new TemplateSyntaxError(`missing '{% ${ends.at(-1)} %}'`, openedAt);
    return { body };
  }

  statement(word: string, t: { text: string; line: number }): Node {
    const rest = t.text.slice(word.length).trim();
    switch (word) {
      case 'if': {
        const branches = [{ cond: rest, body: [] as Node[] }];
        let otherwise: Node[] = [];
        for (;;) {
          const r = this.parse(['elif', 'else', 'endif'], t.line);
          if (r.end === 'elif') {
            branches.at(-1)!.body = r.body;
            branches.push({ cond: r.endText!.slice(4).trim(), body: [] });
          } else if (r.end === 'else') {
            branches.at(-1)!.body = r.body;
            otherwise = this.parse(['endif'], t.line).body;
            break;
          } else {
            branches.at(-1)!.body = r.body;
            break;
          }
        }
        return { type: 'if', branches, otherwise, line: t.line };
      }
      case 'for': {
        const m = /^(.+?)\s+in\s+(.+?)(?:\s+if\s+(.+?))?(\s+recursive)?$/s.exec(rest);
        if (!m) throw new TemplateSyntaxError(`bad for: '${t.text}'`, t.line);
        const targets = m[1].split(',').map((s) =>
          s
            .trim()
            .replace(/^\(|\)$/g, '')
            .trim(),
        );
        if (!targets.every((x) => IDENT.test(x))) throw new TemplateSyntaxError(`bad loop variable in '${t.text}'`, t.line);
        const r = this.parse(['else', 'endfor'], t.line);
        const otherwise = r.end === 'else' ? this.parse(['endfor'], t.line).body : [];
        return { type: 'for', targets, iter: m[2], filter: m[3], body: r.body, otherwise, line: t.line };
      }
      case 'set': {
        const eq = /^([^=]+?)\s*=(?!=)\s*(.+)$/s.exec(rest);
        if (!eq) {
          if (!IDENT.test(rest)) throw new TemplateSyntaxError(`bad set: '${t.text}'`, t.line);
          return { type: 'setblock', name: rest, body: this.parse(['endset'], t.line).body };
        }
        return { type: 'set', targets: eq[1].split(',').map((s) => s.trim()), expr: eq[2], line: t.line };
      }
      case 'macro': {
        const m = /^(\w+)\s*\((.*)\)$/s.exec(rest);
        if (!m) throw new TemplateSyntaxError(`bad macro: '${t.text}'`, t.line);
        const params = splitTopLevel(m[2]).map((p) => {
          const [name, ...d] = p.split('=');
          return { name: name.trim(), dflt: d.length ? d.join('=').trim() : undefined };
        });
        return { type: 'macro', name: m[1], params, body: this.parse(['endmacro'], t.line).body };
      }
      default:
        throw new TemplateSyntaxError(`unknown tag '${word}' (nop's Jinja has if, for, set, macro, raw)`, t.line);
    }
  }
}

const iterate = (v: unknown): unknown[] => {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (v !== null && typeof v === 'object' && !(v instanceof PyFloat)) return Object.keys(v);
  throw new Error(`'${outputOf(v)}' is not iterable`);
};

class Renderer {
  constructor(readonly env: EvalEnv) {}

  located<T>(line: number, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof ExpressionError || e instanceof TemplateSyntaxError) throw e;
      throw new TemplateSyntaxError((e as Error).message, line);
    }
  }

  render(nodes: Node[], scope: Vars): string {
    let out = '';
    // `set` assigns in the current scope: later nodes of the same block see it
    const locals: Vars = {};
    // the scope itself until a `set` gives the block a local: a template of plain `{{ }}`s (most values) reads
    // its variables without another proxy in between
    let hasLocals = false;
    const setLocal = (name: string, value: unknown) => {
      locals[name] = value;
      hasLocals = true;
    };
    const vars = () => (hasLocals ? overlayVars(scope, locals) : scope);
    for (const n of nodes) {
      switch (n.type) {
        case 'text':
          out += n.text;
          break;
        case 'out':
          out += outputOf(evaluate(n.expr, vars(), this.env));
          break;
        case 'if': {
          const hit = n.branches.find((b) => truthy(evaluate(b.cond, vars(), this.env)));
          out += this.render(hit ? hit.body : n.otherwise, vars());
          break;
        }
        case 'for':
          out += this.loop(n, vars());
          break;
        case 'set': {
          const v = evaluate(n.expr, vars(), this.env);
          if (n.targets.length === 1) setLocal(n.targets[0], v);
          else n.targets.forEach((t, i) => setLocal(t, (v as unknown[])[i]));
          break;
        }
        case 'setblock':
          setLocal(n.name, this.render(n.body, vars()));
          break;
        case 'macro':
          setLocal(
            n.name,
            this.macro(n, () => vars()),
          );
          break;
      }
    }
    return out;
  }

  loop(n: Extract<Node, { type: 'for' }>, scope: Vars): string {
    const source = evaluateLoose(n.iter, scope, this.env);
    if (isUndefined(source)) throw new ExpressionError(`'${source.name}' is undefined`, n.iter);
    const bind = (item: unknown): Vars =>
      n.targets.length === 1 ? { [n.targets[0]]: item } : Object.fromEntries(n.targets.map((t, i) => [t, (item as unknown[])[i]]));
    let items = iterate(source);
    if (n.filter) items = items.filter((item) => truthy(evaluate(n.filter!, overlayVars(scope, bind(item)), this.env)));
    if (items.length === 0) return this.render(n.otherwise, scope);
    let out = '';
    const length = items.length;
    items.forEach((item, i) => {
      const loop = {
        ...loopPosition(i, length),
        previtem: i > 0 ? items[i - 1] : undefined,
        nextitem: i < length - 1 ? items[i + 1] : undefined,
        depth: 1,
        depth0: 0,
        cycle: new Macro('cycle', (args) => args[i % args.length] as string),
      };
      out += this.render(n.body, overlayVars(scope, { ...bind(item), loop }));
    });
    return out;
  }

  macro(n: Extract<Node, { type: 'macro' }>, scope: () => Vars): Macro {
    return new Macro(n.name, (args, kwargs) => {
      const bound: Vars = {};
      n.params.forEach((p, i) => {
        if (i < args.length) bound[p.name] = args[i];
        else if (p.name in kwargs) bound[p.name] = kwargs[p.name];
        else if (p.dflt !== undefined) bound[p.name] = evaluate(p.dflt, scope(), this.env);
      });
      bound.varargs = args.slice(n.params.length);
      bound.kwargs = Object.fromEntries(Object.entries(kwargs).filter(([k]) => !n.params.some((p) => p.name === k)));
      return this.render(n.body, overlayVars(scope(), bound));
    });
  }
}

const compiled = new Map<string, Node[]>();

const parseTemplate = (src: string): Node[] => {
  const hit = compiled.get(src);
  if (hit) return hit;
  const nodes = new Parser(tokenize(src)).parse([]).body;
  if (compiled.size > 5000) compiled.clear();
  compiled.set(src, nodes);
  return nodes;
};

/** The expression of a string that is exactly one `{{ … }}` (its value keeps its type), or undefined. */
export const singleExpression = (src: string): string | undefined => {
  if (!src.startsWith('{{')) return undefined;
  const from = src[2] === '-' ? 3 : 2;
  const end = closerAt(src, from, '}}');
  if (end !== src.length - 2) return undefined;
  return src.slice(from, src[end - 1] === '-' ? end - 1 : end);
};

/** Check a template's statements (`{% %}` balanced and known) without rendering it. */
export const checkTemplate = (src: string): void => void parseTemplate(src);

/** Render a Jinja2 template with these variables; an undefined variable is an error naming it. */
export const renderJinja = (src: string, vars: Vars, env: EvalEnv = {}): string => {
  const nodes = parseTemplate(src);
  const renderer = new Renderer({ renderTemplate: (text, v) => renderJinja(text, v, env), ...env });
  return renderer.render(nodes, vars);
};
