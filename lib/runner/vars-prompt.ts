import type { PlaySpec } from './types.js';
import type { VarsPrompt } from './playbook-schema.js';
import { PROMPT_VALIDATORS } from './prompt-validators.js';
import { RunError } from './run-error.js';

/** Asks the operator on the terminal: `ask` a question (`hidden` for secrets), `tell` why an answer was refused. */
export interface Prompter {
  ask(question: string, hidden: boolean): Promise<string>;
  tell(message: string): void;
}

/** What is wrong with an answer, in words; undefined when it is good. */
const problem = (p: VarsPrompt, value: string): string | undefined => {
  if (value === '') return 'an answer is needed';
  if (p.choices && !p.choices.includes(value)) return `'${value}' is not one of: ${p.choices.join(', ')}`;
  const check = p.validate && PROMPT_VALIDATORS[p.validate].problem(value);
  // a secret answer is never repeated back
  if (check) return p.private ? `the answer ${check}` : `'${value}' ${check}`;
  return undefined;
};

const ask = async (p: VarsPrompt, prompter: Prompter): Promise<string> => {
  const fallback = p.default === undefined ? undefined : String(p.default);
  const hint = [p.choices ? `(${p.choices.join('/')})` : '', fallback !== undefined && !p.private ? `[${fallback}]` : ''].filter(Boolean).join(' ');
  for (;;) {
    const answer = (await prompter.ask(`${p.prompt}${hint ? ` ${hint}` : ''}: `, p.private)).trim() || fallback || '';
    const bad = problem(p, answer);
    if (bad) {
      prompter.tell(`${p.name}: ${bad}`);
      continue;
    }
    if (p.confirm && (await prompter.ask(`confirm ${p.prompt}: `, p.private)).trim() !== answer) {
      prompter.tell(`${p.name}: the two answers differ, please enter it again`);
      continue;
    }
    return answer;
  }
};

/**
 * Ansible's `vars_prompt`, made safe for automation: a value already given (by -e, or by the inventory for
 * every host of the play) is not asked for; on a terminal the operator is asked, with validation; without one
 * a missing value with no default is an error naming it, so nothing ever waits on a prompt in CI.
 */
export const resolvePrompts = async (play: PlaySpec, provided: (name: string) => boolean, prompter: Prompter | undefined): Promise<Record<string, string>> => {
  const out: Record<string, string> = {};
  for (const p of play.vars_prompt ?? []) {
    if ([p.name, ...(p.unless_defined ?? [])].some(provided)) continue;
    if (prompter) {
      out[p.name] = await ask(p, prompter);
      continue;
    }
    if (p.default === undefined) {
      const others = p.unless_defined?.length ? ` (or ${p.unless_defined.join(', ')})` : '';
      throw new RunError(`'${p.name}'${others} is required (${p.prompt}): set it in the inventory or pass -e ${p.name}=VALUE`);
    }
    const bad = problem(p, String(p.default));
    if (bad) throw new RunError(`the default of '${p.name}': ${bad}`);
    out[p.name] = String(p.default);
  }
  return out;
};
