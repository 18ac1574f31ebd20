import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Transport } from '../../lib/transport/transport.js';

export type Counter = Record<string, { execs: number; puts: number; gets: number }>;

/** Every operation that reaches a host, counted per host at the transport (a batch of changes is one exec). */
export const counting =
  (counter: Counter, connect: (host: string, vars: Record<string, unknown>) => Promise<Transport>) =>
  async (host: string, vars: Record<string, unknown>): Promise<Transport> => {
    const t = await connect(host, vars);
    const c = { execs: 0, puts: 0, gets: 0 };
    counter[host] = c;
    return {
      ...t,
      exec: (script, opts) => {
        c.execs++;
        return t.exec(script, opts);
      },
      put: (dest, content, opts) => {
        c.puts++;
        return t.put(dest, content, opts);
      },
      putFile: (dest, path, opts) => {
        c.puts++;
        return t.putFile(dest, path, opts);
      },
      get: (path, opts) => {
        c.gets++;
        return t.get(path, opts);
      },
    };
  };

/** What the 20-task play of test/helpers/file-play.ts leaves below its root. */
export const expectFilePlayFiles = async (root: string): Promise<void> => {
  for (let i = 0; i < 7; i++) {
    expect(((await stat(join(root, `d${i}`))).mode & 0o777).toString(8)).toBe('755');
    expect(await readFile(join(root, `d${i}`, 'app.conf'), 'utf8')).toBe(`id=${i}\nport=80${i}0\n`);
    if (i < 6) expect(await readFile(join(root, `d${i}`, 'extra.conf'), 'utf8')).toBe(`debug=${i}\n`);
  }
};
