import { PromptInterrupted } from './prompt-interrupted.js';
import { nextStdinLine } from './stdin-lines.js';

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const CTRL_U = '\u0015';
const BACKSPACES = new Set(['\u007f', '\b']);

// the key presses of one read, as a small state machine: nothing typed is ever shown
const readHidden = (input: NodeJS.ReadStream, prompt: string): Promise<string> =>
  new Promise((resolve, reject) => {
    let value = '';
    let inEscape = false;
    const finish = (settle: () => void) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      settle();
    };
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        // arrow keys and the like arrive as ESC [ … letter: not part of a password
        if (inEscape) {
          inEscape = !/[A-Za-z~]/.test(ch);
          continue;
        }
        if (ch === '\u001b') inEscape = true;
        else if (ch === '\r' || ch === '\n') return finish(() => resolve(value));
        else if (ch === CTRL_C) return finish(() => reject(new PromptInterrupted()));
        else if (ch === CTRL_D) return finish(() => (value === '' ? reject(new PromptInterrupted()) : resolve(value)));
        else if (ch === CTRL_U) value = '';
        else if (BACKSPACES.has(ch)) value = [...value].slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    // echo off before the question shows: a key typed as soon as it appears is never echoed
    input.setRawMode(true);
    process.stderr.write(prompt);
    input.resume();
    input.on('data', onData);
  });

/**
 * Read a password: a hidden answer on a terminal (Ctrl-C rejects with PromptInterrupted), otherwise the next line
 * of stdin. Never from argv, never echoed.
 */
export const readSecret = async (prompt: string): Promise<string> => {
  if (!process.stdin.isTTY) return (await nextStdinLine()) ?? '';
  return readHidden(process.stdin, prompt);
};
