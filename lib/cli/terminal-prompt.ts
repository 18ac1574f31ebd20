import { createInterface } from 'node:readline';
import type { Prompter } from '../runner/vars-prompt.js';
import { PromptInterrupted } from './prompt-interrupted.js';
import { readSecret } from './read-secret.js';

// readline echoes and edits the answer as typed; Ctrl-C (or the end of input) at the question stops the run
const askVisible = (question: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    let answered = false;
    rl.on('SIGINT', () => {
      process.stderr.write('\n');
      rl.close();
    });
    rl.on('close', () => {
      if (!answered) reject(new PromptInterrupted());
    });
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(answer);
    });
  });

/** Questions on the terminal (stderr, so stdout stays clean for --json); hidden input for secrets. */
export const terminalPrompt: Prompter = {
  ask: (question, hidden) => (hidden ? readSecret(question) : askVisible(question)),
  tell: (message) => void process.stderr.write(`${message}\n`),
};
