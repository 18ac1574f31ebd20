import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseArgs } from '../../lib/modules/parse-args.js';
import { fileModule } from '../../lib/modules/builtin/file.js';

describe('parseArgs: a module’s arguments checked once per distinct value', () => {
  it('gives every caller its own copy of a remembered result', () => {
    const args = { path: '/srv/a', state: 'directory', mode: '0755' };
    const first = parseArgs(fileModule.args, args);
    const again = parseArgs(fileModule.args, { ...args });
    expect(first.success && again.success).toBe(true);
    expect(again.data).toEqual(first.data);
    expect(again.data).not.toBe(first.data);
    (again.data as Record<string, unknown>).path = '/elsewhere';
    expect((parseArgs(fileModule.args, args).data as { path: string }).path).toBe('/srv/a');
  });

  it('answers a refused value as zod does, again and again', () => {
    const schema = z.strictObject({ n: z.number() });
    for (let i = 0; i < 2; i++) expect(parseArgs(schema, { n: 'x' }).success).toBe(false);
  });

  it('never takes a value that is not plain JSON for the plain value with the same JSON text', () => {
    const text = z.string();
    expect(parseArgs(text, 'x').success).toBe(true);
    // an !unsafe string is a String object: JSON writes it as "x", zod refuses it
    expect(parseArgs(text, new String('x')).success).toBe(text.safeParse(new String('x')).success);
    const strict = z.strictObject({});
    expect(parseArgs(strict, {}).success).toBe(true);
    expect(parseArgs(strict, { a: undefined }).success).toBe(strict.safeParse({ a: undefined }).success);
    const num = z.number().nullable();
    expect(parseArgs(num, null).success).toBe(true);
    expect(parseArgs(num, Number.NaN).success).toBe(num.safeParse(Number.NaN).success);
  });
});
