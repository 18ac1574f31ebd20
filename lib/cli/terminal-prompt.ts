import { createInterface } from 'node:readline/promises';
import type { Prompter } from '../runner/vars-prompt.js';
import { readSecret } from './read-secret.js';

/** Questions on the terminal (stderr, so stdout stays clean for --json); hidden input for secrets. */
export const terminalPrompt: Prompter = async (question, hidden) => {
  if (hidden) return readSecret(question);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
};
