import { createInterface, type Interface } from 'node:readline';

// one reader for the whole process: each question takes the next line, so `printf 'a\nb\n' | nop run -k -K` works
let reader: Interface | undefined;
const lines: string[] = [];
const waiting: ((line: string | undefined) => void)[] = [];
let ended = false;

const open = (): void => {
  if (reader) return;
  reader = createInterface({ input: process.stdin, terminal: false });
  reader.on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else lines.push(line);
  });
  reader.on('close', () => {
    ended = true;
    for (const next of waiting.splice(0)) next(undefined);
  });
};

/** The next line of stdin when it is not a terminal; undefined at its end. */
export const nextStdinLine = (): Promise<string | undefined> => {
  open();
  if (lines.length) return Promise.resolve(lines.shift());
  if (ended) return Promise.resolve(undefined);
  return new Promise((resolve) => waiting.push(resolve));
};
