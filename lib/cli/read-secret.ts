import { createInterface } from 'node:readline';

/** Read a password: hidden prompt on a terminal, first line of stdin otherwise (never from argv). */
export const readSecret = (prompt: string): Promise<string> =>
  new Promise((resolve) => {
    const input = process.stdin;
    if (!input.isTTY) {
      const rl = createInterface({ input });
      rl.once('line', (line) => {
        rl.close();
        resolve(line);
      });
      rl.once('close', () => resolve(''));
      return;
    }
    process.stderr.write(prompt);
    input.setRawMode(true);
    input.resume();
    let value = '';
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          input.setRawMode(false);
          input.pause();
          input.off('data', onData);
          process.stderr.write('\n');
          resolve(value);
          return;
        }
        if (ch === '\u0003') process.kill(process.pid, 'SIGINT');
        else if (ch === '\u007f') value = value.slice(0, -1);
        else value += ch;
      }
    };
    input.on('data', onData);
  });
