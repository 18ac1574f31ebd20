import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import type { RoleDefinition } from '../roles/role.js';
import { builtinRoleCode, packageRoot } from '../runner/paths.js';
import { isSecretName } from '../runner/redact.js';
import { parseAnsibleYaml } from '../yaml/ansible-yaml.js';
import { acceptsMissing, descriptionOf, schemaDefault, typeWords } from './schema-words.js';

/** docs/variables.md: generated from the roles' zod schemas and defaults.yml; a test fails when it is stale. */
export const VARIABLES_DOC = join(packageRoot, 'docs', 'variables.md');

interface Variable {
  name: string;
  type: string;
  default?: unknown;
  required: boolean;
  description: string;
  secret: boolean;
}

// a role's schema is an object, perhaps refined or piped: its fields are those of the object inside
const objectShape = (schema: z.ZodType): Record<string, z.ZodType> | undefined => {
  const def = (schema as unknown as { _zod: { def: { shape?: Record<string, z.ZodType>; in?: z.ZodType; innerType?: z.ZodType } } })._zod.def;
  if (def.shape) return def.shape;
  const inner = def.in ?? def.innerType;
  return inner ? objectShape(inner) : undefined;
};

const yamlFile = async (file: string): Promise<Record<string, unknown>> => {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  return text === undefined ? {} : ((parseAnsibleYaml(text).value as Record<string, unknown> | null) ?? {});
};

const variablesOf = (schema: z.ZodType, defaults: Record<string, unknown>): Variable[] =>
  Object.entries(objectShape(schema) ?? {}).map(([name, field]) => {
    const fromSchema = schemaDefault(field);
    const value = name in defaults ? defaults[name] : fromSchema?.value;
    return {
      name,
      type: typeWords(field),
      default: value,
      required: value === undefined && !acceptsMissing(field),
      description: descriptionOf(field) ?? '',
      secret: isSecretName(name),
    };
  });

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

const defaultWords = (v: Variable): string => {
  if (v.default === undefined) return v.required ? '**required**' : '';
  return `\`${cell(JSON.stringify(v.default))}\``;
};

const roleSection = (name: string, vars: Variable[]): string =>
  [
    `## ${name}`,
    '',
    '| variable | type | default | secret | what it does |',
    '|---|---|---|---|---|',
    ...vars.map((v) => `| \`${v.name}\` | ${cell(v.type)} | ${defaultWords(v)} | ${v.secret ? 'yes' : ''} | ${cell(v.description)} |`),
    '',
  ].join('\n');

const playbookRoles = async (): Promise<{ playbook: string; roles: string[] }[]> => {
  const dir = join(packageRoot, 'playbooks');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yml')).sort();
  const out: { playbook: string; roles: string[] }[] = [];
  for (const file of files) {
    const plays = parseAnsibleYaml(await readFile(join(dir, file), 'utf8')).value as { roles?: (string | { role: string })[] }[];
    const roles = plays.flatMap((p) => (p.roles ?? []).map((r) => (typeof r === 'string' ? r : r.role)));
    out.push({ playbook: `playbooks/${file}`, roles: [...new Set(roles)] });
  }
  return out;
};

/** The reference of every builtin role's variables, and which playbook runs which role, as Markdown. */
export const renderVariablesDoc = async (): Promise<string> => {
  const names = (await readdir(join(packageRoot, 'roles'), { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const sections: string[] = [];
  for (const name of names) {
    const role = (await import(builtinRoleCode(name))) as { default: RoleDefinition };
    const defaults = await yamlFile(join(packageRoot, 'roles', name, 'defaults.yml'));
    sections.push(roleSection(name, variablesOf(role.default.vars, defaults)));
  }
  const playbooks = (await playbookRoles()).map((p) => `| \`${p.playbook}\` | ${p.roles.map((r) => `[${r}](#${r})`).join(', ')} |`);
  return [
    '# Variables of the playbooks and roles',
    '',
    "<!-- generated from the roles' zod schemas (roles/*/vars.ts, .describe()) and roles/*/defaults.yml by",
    '     `npm run docs`; test/docs/variables-doc.test.ts fails when this file is stale. Do not edit by hand. -->',
    '',
    "Each variable comes from the inventory, `group_vars`/`host_vars`, a play or `-e`, over the role's default.",
    "A **required** variable has no default: a run without it stops naming it. A secret variable's value is",
    'redacted from all output, `--diff` and logs.',
    '',
    '| playbook | roles |',
    '|---|---|',
    ...playbooks,
    '',
    ...sections,
  ].join('\n');
};
