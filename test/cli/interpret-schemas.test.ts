import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../lib/cli/main.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-interpret-schemas-'));
  await writeFile(
    join(dir, 'site.yml'),
    '- hosts: all\n  gather_facts: false\n  tasks:\n    - file: { path: /tmp/x, state: directory }\n    - copy: { dest: /tmp/x/a, content: "a" }\n',
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the CLI and zod', () => {
  // zod compiles a parser per object schema with new Function unless told not to: code no code cache keeps
  it('checks a playbook without compiling a parser for any schema', async () => {
    const compiled: string[] = [];
    const original = globalThis.Function;
    globalThis.Function = new Proxy(original, {
      construct(target, args: string[]) {
        compiled.push(String(args.at(-1)));
        return Reflect.construct(target, args);
      },
    });
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main(['run', join(dir, 'site.yml'), '-i', 'h1,', '--syntax-check'])).toBe(0);
    } finally {
      globalThis.Function = original;
      out.mockRestore();
    }
    expect(compiled.filter((code) => code.includes('payload'))).toEqual([]);
  });
});
