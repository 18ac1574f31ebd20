import { createRequire } from 'node:module';
import type Handlebars from 'handlebars';
import { endsInStringFilter, evaluate, ExpressionError } from './expression.js';
import { literalEval, NOT_LITERAL } from './literal-eval.js';
import { isNumber } from './py-float.js';
import { outputOf, PyTuple } from './python-repr.js';
import { rawValueOf } from './raw-value.js';
import { renderJinja, singleExpression } from './jinja.js';
import { composeFileValue, shellFileValue } from './file-quoting.js';
import { isUnsafe } from './unsafe.js';

/** A template referenced a variable that is not defined: names it, as Ansible does. */
export class UndefinedVariableError extends Error {
  constructor(
    readonly variable: string,
    readonly template: string,
  ) {
    super(`'${variable}' is undefined (in "${template.length > 80 ? `${template.slice(0, 77)}...` : template}")`);
    this.name = 'UndefinedVariableError';
  }
}

// Handlebars is loaded on the first .hbs template: a run whose playbook renders none never pays for it
let hbInstance: typeof Handlebars | undefined;

const handlebars = (): typeof Handlebars => {
  if (hbInstance) return hbInstance;
  const loaded = createRequire(import.meta.url)('handlebars') as typeof Handlebars;
  const hb = loaded.create();
  // Ansible's everyday filters, as helpers: {{default x "y"}}, {{json x}}, {{join list ","}}...
  hb.registerHelper('default', (value: unknown, fallback: unknown) => (value === undefined || value === null || value === '' ? fallback : value));
  hb.registerHelper('json', (value: unknown) => new loaded.SafeString(JSON.stringify(value)));
  hb.registerHelper('join', (list: unknown, sep: unknown) => (Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ',') : ''));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
  hb.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hb.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hb.registerHelper('not', (a: unknown) => !a);
  hb.registerHelper('upper', (s: unknown) => String(s).toUpperCase());
  hb.registerHelper('lower', (s: unknown) => String(s).toLowerCase());
  hb.registerHelper('quote', (s: unknown) => `'${String(s).replace(/'/g, `'\\''`)}'`);
  // values of files other programs parse: {{sh_quote v}} in a file sh sources, {{compose_quote a b}} (joined) in a compose file
  hb.registerHelper('sh_quote', (s: unknown) => shellFileValue(String(s)));
  hb.registerHelper('compose_quote', (...args: unknown[]) => composeFileValue(args.slice(0, -1).map(String).join('')));
  hbInstance = hb;
  return hb;
};

const compiled = new Map<string, HandlebarsTemplateDelegate>();

const compile = (template: string): HandlebarsTemplateDelegate => {
  const hit = compiled.get(template);
  if (hit) return hit;
  const fn = handlebars().compile(template, { strict: true, noEscape: true });
  compiled.set(template, fn);
  return fn;
};

const missingName = (message: string): string | undefined => /"([^"]+)" not defined/.exec(message)?.[1];

// `{{ x | default(1) }}`, `{{ a == b }}`: Ansible users write Jinja expressions; those are evaluated by
// the expression evaluator, everything else (`{{ var }}`, `{{#each}}`, helpers) is Handlebars.
const MUSTACHE = /\{\{(?![{#/>!^&~])([\s\S]*?)\}\}/g;
const JINJA_ONLY = /\|(?!\|)|==|!=|<=|>=|\band\b|\bor\b|\bnot\b|\bin\b|\bis\b|\[|\+/;

const isJinja = (content: string): boolean => JINJA_ONLY.test(content.replace(/("|')(?:(?!\1)[^\\]|\\.)*\1/g, '""'));

const stringify = (v: unknown): string => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v ?? ''));

const evaluateNamed = (expr: string, vars: Record<string, unknown>, template: string): unknown => {
  try {
    return evaluate(expr, vars);
  } catch (e) {
    const name = e instanceof ExpressionError ? /'([^']+)' is undefined/.exec(e.message)?.[1] : undefined;
    if (name) throw new UndefinedVariableError(name, template);
    throw e;
  }
};

// in a Handlebars file, `{{ x | default(1) }}` is a Jinja expression: evaluated first, the rest is Handlebars
const preRenderExpressions = (template: string, vars: Record<string, unknown>): string =>
  template.replace(MUSTACHE, (whole, content: string) =>
    isJinja(content) ? stringify(evaluateNamed(content, vars, template)).replace(/\{\{/g, '\\{{') : whole,
  );

const undefinedName = (e: unknown): string | undefined => (e instanceof ExpressionError ? /'([^']+)' is undefined/.exec(e.message)?.[1] : undefined);

const HAS_JINJA = /\{[{%#]/;

/** Render an Ansible value or `.j2` template with Jinja2 (lib/template/jinja.ts): an undefined variable is an error naming it. */
export const renderString = (template: string, vars: Record<string, unknown>): string => {
  if (!HAS_JINJA.test(template)) return template;
  try {
    return renderJinja(template, vars);
  } catch (e) {
    const name = undefinedName(e);
    if (name) throw new UndefinedVariableError(name, template);
    throw e;
  }
};

/** A template file rendered by its kind: `.hbs` is Handlebars (nop's own templates), anything else Jinja2 as in Ansible. */
export const renderTemplateFile = (path: string, text: string, vars: Record<string, unknown>): string =>
  path.endsWith('.hbs') ? renderHandlebars(text, vars) : renderString(text, vars);

/** Render a Handlebars template strictly (nop's `.hbs` files, `ctx.render` of TypeScript roles): an undefined variable is an error naming it. */
export const renderHandlebars = (template: string, vars: Record<string, unknown>): string => {
  if (!template.includes('{{')) return template;
  try {
    return compile(preRenderExpressions(template, vars))(vars);
  } catch (e) {
    const name = e instanceof Error ? missingName(e.message) : undefined;
    if (name) throw new UndefinedVariableError(name, template);
    throw e;
  }
};

// Ansible's shortcut for a value that is one variable (`{{ name }}`): its bool, number or None as it is
const SINGLE_VAR = /^\{\{\s*(\w*)\s*\}\}\n?$/;

const isPlainData = (v: unknown): boolean => {
  if (isNumber(v)) return Number.isFinite(Number(v));
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (Array.isArray(v)) return v.every(isPlainData);
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v).every(isPlainData);
  return false;
};

// what ansible_eval_concat makes of a template's output: a text that looks like a list, a dict or a boolean is read back as one
const typedOutput = (out: string): unknown => {
  if (!(out.startsWith('{') || out.startsWith('[') || out === 'True' || out === 'False')) return out;
  const value = literalEval(out);
  return value === NOT_LITERAL ? out : value;
};

const trailingNewlines = (s: string): number => s.length - s.replace(/\n+$/, '').length;

/**
 * A string value templated as Ansible 2.14 does (jinja2_native off): the output is text, read back as a list,
 * a dict or a boolean when it looks like one, so `{{ 1 + 2 }}` is the string '3' and `{{ [1, 2] }}` a list.
 * A value that is exactly `{{ name }}` of a variable holding a bool, a number or None keeps it.
 */
const renderTemplated = (value: string, vars: Record<string, unknown>): unknown => {
  if (!HAS_JINJA.test(value)) return value;
  const single = SINGLE_VAR.exec(value);
  if (single && single[1] in vars) {
    const raw = rawValueOf(vars, single[1]);
    if (typeof raw === 'boolean' || isNumber(raw)) return raw;
    if (raw === null || raw === undefined) return null;
  }
  // Jinja drops the source's last newline; Ansible puts back the newlines a text result lacks
  const source = value.endsWith('\n') ? value.slice(0, -1) : value;
  const withNewlines = (out: string) => out + '\n'.repeat(Math.max(0, trailingNewlines(value) - trailingNewlines(out)));
  const expr = singleExpression(source);
  if (expr === undefined) {
    const out = typedOutput(renderString(source, vars));
    return typeof out === 'string' ? withNewlines(out) : out;
  }
  const v = evaluateNamed(expr, vars, value);
  // the text of a list, dict or bool reads back as the same value: skip printing and parsing it
  if (
    (typeof v === 'boolean' || Array.isArray(v) || (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)) &&
    !(v instanceof PyTuple) &&
    isPlainData(v)
  )
    return v;
  const out = outputOf(v);
  if (typeof v === 'string' && endsInStringFilter(expr)) return withNewlines(out);
  const typed = typedOutput(out);
  return typeof typed === 'string' ? withNewlines(typed) : typed;
};

const render = (value: unknown, vars: Record<string, unknown>): unknown => {
  // `!unsafe`: its text as it is, never rendered
  if (isUnsafe(value)) return value.toString();
  if (typeof value === 'string') return renderTemplated(value, vars);
  if (Array.isArray(value)) return value.map((v) => render(v, vars));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v, vars)]));
  }
  return value;
};

/**
 * Render every string inside a value, as Ansible's templating does (renderTemplated): a number a template
 * computes is text ('3'), a list, dict or boolean stays one. An `!unsafe` string comes out as its plain text,
 * unrendered. A Python float with an integral value stays a PyFloat (a fact set from it prints as 2.0 later);
 * module arguments and role variables take it as a number (lib/modules/converted-args.ts).
 */
export const renderValue = (value: unknown, vars: Record<string, unknown>): unknown => render(value, vars);
