import type { TaskSpec } from './types.js';

/** --step: whether to run a task, asked once per task and batch (by the first host that reaches it). */
export type StepGate = (task: TaskSpec, name: string, batch: object) => Promise<boolean>;

/**
 * Ansible's `--step`: "(N)o/(y)es/(c)ontinue" before each task; no skips it on every host of the batch, continue
 * runs it and every task after it without asking. Hosts run in parallel, so questions are asked one at a time.
 */
export const stepGate = (ask: (question: string) => Promise<string>): StepGate => {
  let stepping = true;
  let queue: Promise<unknown> = Promise.resolve();
  const answers = new WeakMap<object, Map<TaskSpec, Promise<boolean>>>();
  return (task, name, batch) => {
    if (!stepping) return Promise.resolve(true);
    const asked = answers.get(batch) ?? answers.set(batch, new Map()).get(batch)!;
    const hit = asked.get(task);
    if (hit) return hit;
    const answer = queue.then(async () => {
      if (!stepping) return true;
      const reply = (await ask(`Perform task: TASK: ${name} (N)o/(y)es/(c)ontinue: `)).trim().toLowerCase();
      if (reply === 'c' || reply === 'continue') stepping = false;
      return !stepping || reply === 'y' || reply === 'yes';
    });
    queue = answer.catch(() => undefined);
    asked.set(task, answer);
    return answer;
  };
};
