import Handlebars from 'handlebars';
import { evaluate, ExpressionError } from './expression.js';
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

const hb = Handlebars.create();

// Ansible's everyday filters, as helpers: {{default x "y"}}, {{json x}}, {{join list ","}}...
hb.registerHelper('default', (value: unknown, fallback: unknown) => (value === undefined || value === null || value === '' ? fallback : value));
hb.registerHelper('json', (value: unknown) => new Handlebars.SafeString(JSON.stringify(value)));
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

const compiled = new Map<string, HandlebarsTemplateDelegate>();

const compile = (template: string): HandlebarsTemplateDelegate => {
  const hit = compiled.get(template);
  if (hit) return hit;
  const fn = hb.compile(template, { strict: true, noEscape: true });
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

/**
 * Render every string inside a value. A string that is exactly `{{ expr }}` keeps the value's type (a number
 * stays a number, a list stays a list), as Ansible's templating does. An `!unsafe` string comes out as its plain
 * text, unrendered.
 */
export const renderValue = (value: unknown, vars: Record<string, unknown>): unknown => {
  // `!unsafe`: its text as it is, never rendered
  if (isUnsafe(value)) return value.toString();
  if (typeof value === 'string') {
    const expr = singleExpression(value.trim());
    if (expr !== undefined) return evaluateNamed(expr, vars, value);
    return renderString(value, vars);
  }
  if (Array.isArray(value)) return value.map((v) => renderValue(v, vars));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderValue(v, vars)]));
  }
  return value;
};
