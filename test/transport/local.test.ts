import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localTransport } from '../../lib/transport/local.js';
import { shellQuote } from '../../lib/transport/shell-quote.js';

let dir: string;
const t = localTransport();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-local-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('local transport', () => {
  it('runs a script with stdin, env and cwd, reporting the exit code', async () => {
    const res = await t.exec('printf "%s|%s|" "$NOP_V" "$(pwd)"; cat; exit 4', {
      env: { NOP_V: "it's $quoted" },
      cwd: dir,
      stdin: 'in',
    });
    expect(res).toEqual({ code: 4, stdout: `it's $quoted|${dir}|in`, stderr: '' });
  });

  it('with binary, keeps stdout’s exact bytes beside its text', async () => {
    const res = await t.exec("printf 'a\\377\\000\\303\\n'", { binary: true });
    expect(res.stdoutBytes).toEqual(Buffer.from([0x61, 0xff, 0, 0xc3, 0x0a]));
    expect(res.stdout).toBe(res.stdoutBytes?.toString());
  });

  it('quotes arguments for dash, the /bin/sh of Debian and Ubuntu', async () => {
    const value = `a b'c"$HOME;\`x\``;
    expect((await t.exec(`printf %s ${shellQuote(value)}`)).stdout).toBe(value);
  });

  it('kills a command that exceeds its timeout, children included', async () => {
    const marker = join(dir, 'survivor');
    const res = await t.exec(`sleep 2; touch ${marker}`, { timeoutMs: 200 });
    expect(res.code).toBe(124);
    expect(res.stderr).toMatch(/command timed out/);
    await new Promise((r) => setTimeout(r, 2500));
    await expect(stat(marker)).rejects.toThrow();
  });

  it('puts atomically with the requested mode and reads back', async () => {
    const dest = join(dir, 'f.txt');
    await t.put(dest, 'one', { mode: 0o600 });
    expect((await stat(dest)).mode & 0o777).toBe(0o600);
    const src = join(dir, 'src.bin');
    await writeFile(src, Buffer.alloc(1024, 7));
    await t.putFile(dest, src, { mode: 0o640 });
    expect(await readFile(dest)).toEqual(Buffer.alloc(1024, 7));
    expect((await stat(dest)).mode & 0o777).toBe(0o640);
    expect((await t.get(dest)).length).toBe(1024);
    expect((await readdir(dir)).filter((n) => n.includes('.nop-'))).toEqual([]);
    await expect(t.get(join(dir, 'missing'))).rejects.toThrow();
  });
});
