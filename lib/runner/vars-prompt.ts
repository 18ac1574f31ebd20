import type { PlaySpec } from './types.js';
import type { VarsPrompt } from './playbook-schema.js';
import { RunError } from './run-error.js';

/** Asks the operator a question on the terminal; `hidden` for secrets. */
export type Prompter = (question: string, hidden: boolean) => Promise<string>;

const problem = (p: VarsPrompt, value: string): string | undefined => {
  if (p.choices && !p.choices.includes(value)) return `must be one of: ${p.choices.join(', ')}`;
  if (p.validate && !new RegExp(`^(?:${p.validate})$`).test(value)) return `must match ${p.validate}`;
  if (value === '') return 'must not be empty';
  return undefined;
};

const ask = async (p: VarsPrompt, prompter: Prompter, say: (line: string) => void): Promise<string> => {
  const fallback = p.default === undefined ? undefined : String(p.default);
  const hint = [p.choices ? `(${p.choices.join('/')})` : '', fallback !== undefined && !p.private ? `[${fallback}]` : ''].filter(Boolean).join(' ');
  for (;;) {
    const answer = (await prompter(`${p.prompt}${hint ? ` ${hint}` : ''}: `, p.private)).trim() || fallback || '';
    const bad = problem(p, answer);
    if (bad) {
      say(`${p.name} ${bad}`);
      continue;
    }
    if (p.confirm && (await prompter(`confirm ${p.prompt}: `, p.private)).trim() !== answer) {
      say('values entered do not match');
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
export const resolvePrompts = async (
  play: PlaySpec,
  provided: (name: string) => boolean,
  prompter: Prompter | undefined,
  say: (line: string) => void,
): Promise<Record<string, string>> => {
  const out: Record<string, string> = {};
  for (const p of play.vars_prompt ?? []) {
    if ([p.name, ...(p.unless_defined ?? [])].some(provided)) continue;
    if (prompter) {
      out[p.name] = await ask(p, prompter, say);
      continue;
    }
    if (p.default === undefined) {
      const others = p.unless_defined?.length ? ` (or ${p.unless_defined.join(', ')})` : '';
      throw new RunError(`'${p.name}'${others} is required (${p.prompt}): set it in the inventory or pass -e ${p.name}=VALUE`);
    }
    const bad = problem(p, String(p.default));
    if (bad) throw new RunError(`the default of '${p.name}' ${bad}`);
    out[p.name] = String(p.default);
  }
  return out;
};
