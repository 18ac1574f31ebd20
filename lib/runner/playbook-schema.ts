import { z } from 'zod';
import { asBoolean, booleanSchema } from '../template/boolean.js';
import { PROMPT_VALIDATOR_NAMES, PROMPT_VALIDATORS } from './prompt-validators.js';

/** The shapes of playbook YAML. The runner's types come from here. */

const toList = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);
export const stringList = z.union([z.string(), z.array(z.string())]).transform(toList);
const scalar = z.union([z.string(), z.number(), z.boolean()]);
export const conditionSchema = z.union([z.string(), z.boolean(), z.array(z.union([z.string(), z.boolean()]))]);
const varsSchema = z.record(z.string(), z.unknown());
const envSchema = z.record(z.string(), scalar);
// a boolean keyword takes Ansible's spellings, quoted or not (`become: "yes"`)
const flag = booleanSchema;
// `ignore_errors: yes`, or a condition evaluated when the task fails
const flagOrCondition = z.union([z.boolean(), z.number(), z.string()]).transform((v) => asBoolean(v) ?? String(v));
const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a valid variable name');

export const taskKeywordsSchema = z.strictObject({
  name: z.string().optional(),
  when: conditionSchema.optional(),
  register: identifier.optional(),
  loop: z.union([z.array(z.unknown()), z.string()]).optional(),
  with_items: z.unknown().optional(),
  with_list: z.unknown().optional(),
  with_flattened: z.unknown().optional(),
  with_indexed_items: z.unknown().optional(),
  with_dict: z.unknown().optional(),
  with_sequence: z.unknown().optional(),
  with_together: z.unknown().optional(),
  with_nested: z.unknown().optional(),
  with_cartesian: z.unknown().optional(),
  with_subelements: z.unknown().optional(),
  with_fileglob: z.unknown().optional(),
  loop_control: z
    .strictObject({
      loop_var: identifier.optional(),
      index_var: identifier.optional(),
      label: z.string().optional(),
      pause: z.number().min(0).optional(),
      extended: flag.optional(),
      extended_allitems: flag.optional(),
    })
    .optional(),
  notify: stringList.optional(),
  listen: stringList.optional(),
  tags: stringList.optional(),
  changed_when: conditionSchema.optional(),
  failed_when: conditionSchema.optional(),
  ignore_errors: flagOrCondition.optional(),
  retries: z.number().int().min(0).optional(),
  until: conditionSchema.optional(),
  delay: z.number().min(0).optional(),
  become: flag.optional(),
  become_user: z.string().optional(),
  no_log: flag.optional(),
  run_once: flag.optional(),
  delegate_to: z.string().optional(),
  environment: envSchema.optional(),
  args: varsSchema.optional(),
  vars: varsSchema.optional(),
  check_mode: flag.optional(),
  diff: flag.optional(),
  block: z.array(z.unknown()).optional(),
  rescue: z.array(z.unknown()).optional(),
  always: z.array(z.unknown()).optional(),
});
export type TaskKeywords = z.output<typeof taskKeywordsSchema>;
export const TASK_KEYWORDS: ReadonlySet<string> = new Set(Object.keys(taskKeywordsSchema.shape));

export const roleRefSchema = z.union([
  z.string(),
  z
    .looseObject({
      role: z.string().optional(),
      name: z.string().optional(),
      vars: varsSchema.optional(),
      tags: stringList.optional(),
      when: conditionSchema.optional(),
      become: flag.optional(),
      become_user: z.string().optional(),
    })
    .refine((r) => r.role ?? r.name, 'a role reference needs `role: NAME`'),
]);
export type RoleRef = z.output<typeof roleRefSchema>;

const percent = z.string().regex(/^\d+(\.\d+)?%$/, 'must be a number or a percentage such as "25%"');
export const serialSchema = z.union([z.number().int().positive(), percent, z.array(z.union([z.number().int().positive(), percent])).min(1)]);

export const varsPromptSchema = z.strictObject({
  name: identifier,
  prompt: z.string(),
  /** hidden input (the default, as in Ansible); the value is also redacted from all output */
  private: flag.default(true),
  default: scalar.optional(),
  confirm: flag.optional(),
  /** nop: the name of a check the answer must pass (asked again on a terminal, an error otherwise) */
  validate: z
    .enum(PROMPT_VALIDATOR_NAMES, {
      error: () => `must name a check: ${PROMPT_VALIDATOR_NAMES.map((n) => `${n} (${PROMPT_VALIDATORS[n].description})`).join(', ')}`,
    })
    .optional(),
  /** nop: the answer must be one of these */
  choices: z.array(z.string()).optional(),
  /** nop: not asked when any of these variables is defined (another way to give the same value) */
  unless_defined: z.array(identifier).optional(),
});
export type VarsPrompt = z.output<typeof varsPromptSchema>;

export const playSchema = z.strictObject({
  name: z.string().optional(),
  hosts: z.union([z.string(), z.array(z.string())]).transform((h) => (Array.isArray(h) ? h.join(':') : h)),
  vars: varsSchema.optional(),
  vars_files: stringList.optional(),
  vars_prompt: z.array(varsPromptSchema).optional(),
  gather_facts: flag.default(true),
  become: flag.optional(),
  become_user: z.string().optional(),
  environment: envSchema.optional(),
  roles: z.array(roleRefSchema).optional(),
  pre_tasks: z.array(z.unknown()).optional(),
  tasks: z.array(z.unknown()).optional(),
  post_tasks: z.array(z.unknown()).optional(),
  handlers: z.array(z.unknown()).optional(),
  serial: serialSchema.optional(),
  max_fail_percentage: z.number().min(0).max(100).optional(),
  any_errors_fatal: flag.optional(),
  tags: stringList.optional(),
  check_mode: flag.optional(),
});
export type PlayInput = z.output<typeof playSchema>;

export const playbookSchema = z.array(z.unknown()).min(1, 'a playbook is a list of plays');
