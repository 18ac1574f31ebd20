import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import type { RoleDefinition } from '../roles/role.js';
import { isSetByRun, roleVarFields } from '../roles/role-vars.js';
import { builtinRoleCode, packageRoot } from '../runner/paths.js';
import { varsPromptSchema, type VarsPrompt } from '../runner/playbook-schema.js';
import { PROMPT_VALIDATORS } from '../runner/prompt-validators.js';
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
  /** nop's magic variables and what a role's own earlier tasks publish: nobody gives them, none is "required" */
  setByRun: boolean;
}

const yamlFile = async (file: string): Promise<Record<string, unknown>> => {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  return text === undefined ? {} : ((parseAnsibleYaml(text).value as Record<string, unknown> | null) ?? {});
};

const variablesOf = (schema: z.ZodType, defaults: Record<string, unknown>): Variable[] =>
  Object.entries(roleVarFields(schema)).map(([name, field]) => {
    const fromSchema = schemaDefault(field);
    const value = name in defaults ? defaults[name] : fromSchema?.value;
    const description = descriptionOf(field) ?? '';
    return {
      name,
      type: typeWords(field),
      default: value,
      required: value === undefined && !acceptsMissing(field) && !isSetByRun(field),
      description,
      secret: isSecretName(name),
      setByRun: isSetByRun(field),
    };
  });

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

const defaultWords = (v: Variable): string => {
  if (v.default === undefined) return v.required ? '**required**' : v.setByRun ? 'set by nop' : '';
  return `\`${cell(JSON.stringify(v.default))}\``;
};

const roleSection = (name: string, vars: Variable[]): string =>
  [
    `## ${name}`,
    '',
    '| variable | type | default | secret | what it does |',
    '|---|---|---|---|---|',
    ...vars.map((v) => `| \`${v.name}\` | ${cell(v.type)} | ${defaultWords(v)} | ${v.secret ? 'yes' : 'no'} | ${cell(v.description)} |`),
    '',
  ].join('\n');

interface PlaybookVars {
  playbook: string;
  roles: string[];
  prompts: VarsPrompt[];
}

const playbookRoles = async (): Promise<PlaybookVars[]> => {
  const dir = join(packageRoot, 'playbooks');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yml')).sort();
  const out: PlaybookVars[] = [];
  for (const file of files) {
    const plays = parseAnsibleYaml(await readFile(join(dir, file), 'utf8')).value as { roles?: (string | { role: string })[]; vars_prompt?: unknown[] }[];
    const roles = plays.flatMap((p) => (p.roles ?? []).map((r) => (typeof r === 'string' ? r : r.role)));
    const prompts = plays.flatMap((p) => (p.vars_prompt ?? []).map((q) => varsPromptSchema.parse(q)));
    out.push({ playbook: `playbooks/${file}`, roles: [...new Set(roles)], prompts });
  }
  return out;
};

const promptWords = (q: VarsPrompt): string =>
  [
    q.prompt,
    q.choices && `one of ${q.choices.join(', ')}`,
    q.validate && PROMPT_VALIDATORS[q.validate].description,
    q.confirm && 'typed twice',
    q.unless_defined && `not asked when ${q.unless_defined.join(' or ')} is set`,
  ]
    .filter(Boolean)
    .join('; ');

// vars_prompt: asked on a terminal when neither the inventory nor -e gives the value; a run without a terminal stops naming it
const promptsSection = (playbooks: PlaybookVars[]): string[] => {
  const rows = playbooks.flatMap((p) =>
    p.prompts.map(
      (q) =>
        `| \`${q.name}\` | \`${p.playbook}\` | ${q.default === undefined ? '' : `\`${cell(JSON.stringify(q.default))}\``} | ${q.private ? 'yes' : 'no'} | ${cell(promptWords(q))} |`,
    ),
  );
  if (rows.length === 0) return [];
  return [
    '## Asked on a terminal (vars_prompt)',
    '',
    'Asked before the play that needs them when neither the inventory nor `-e` gives them (a secret one without echo);',
    'without a terminal the run stops naming them. Give them in the inventory or with `-e` for an unattended run.',
    '',
    '| variable | playbook | default | secret | what it asks |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ];
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
  const all = await playbookRoles();
  const playbooks = all.map((p) => `| \`${p.playbook}\` | ${p.roles.map((r) => `[${r}](#${r})`).join(', ')} |`);
  return [
    '# Variables of the playbooks and roles',
    '',
    "<!-- generated from the roles' zod schemas (roles/*/vars.ts, .describe()) and roles/*/defaults.yml by",
    '     `npm run docs`; test/docs/variables-doc.test.ts fails when this file is stale. Do not edit by hand. -->',
    '',
    "Each variable comes from the inventory, `group_vars`/`host_vars`, a play or `-e`, over the role's default.",
    'A **required** variable has no default: a run without it stops naming it, before any host is changed. A secret',
    'variable\'s value is redacted from all output, `--diff` and logs. "set by nop": Ansible\'s magic variables and',
    "what a role's earlier tasks publish for its later ones; nobody gives them.",
    '',
    '| playbook | roles |',
    '|---|---|',
    ...playbooks,
    '',
    ...promptsSection(all),
    ...sections,
  ].join('\n');
};
