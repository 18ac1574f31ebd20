import { z } from 'zod';
import { shellJoin } from '../../transport/shell-quote.js';
import { boolArg } from '../arg-types.js';
import { defineModule } from '../module.js';

const getentArgs = z.strictObject({
  database: z.string().min(1),
  key: z.string().optional(),
  service: z.string().min(1).optional(),
  /** what separates a record's fields; whitespace when absent, `:` for passwd, shadow, group and gshadow */
  split: z.string().min(1).optional(),
  fail_key: boolArg.default(true),
});

const COLON_DATABASES = new Set(['passwd', 'shadow', 'group', 'gshadow']);

// Python's str.split: on the separator exactly, or (none given) on runs of whitespace, ends ignored
const fields = (line: string, split: string | undefined): string[] => (split === undefined ? line.trim().split(/\s+/) : line.split(split));

/** getent's lines as Ansible's getent makes them: key → the other fields; a key seen twice → a list of them. */
const tree = (stdout: string, split: string | undefined): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  const seen = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const [key, ...rest] = fields(line, split);
    const count = seen.get(key) ?? 0;
    if (count === 0) out[key] = rest;
    else if (count === 1) out[key] = [out[key], rest];
    else (out[key] as unknown[]).push(rest);
    seen.set(key, count + 1);
  }
  return out;
};

const FAILURES: Record<number, string> = {
  1: 'Missing arguments, or database unknown.',
  2: 'One or more supplied key could not be found in the database.',
  3: 'Enumeration not supported on this database.',
};

/** Ansible's getent: a name service database (or one key of it) read into the `getent_<database>` fact. */
export const getentModule = defineModule({
  name: 'getent',
  args: getentArgs,
  plan: async (a, ctx) => {
    const argv = ['getent', a.database, ...(a.key !== undefined ? [a.key] : []), ...(a.service !== undefined ? ['-s', a.service] : [])];
    const res = await ctx.exec(shellJoin(argv));
    const fact = `getent_${a.database}`;
    const split = a.split ?? (COLON_DATABASES.has(a.database) ? ':' : undefined);
    if (res.code === 0) return { changes: [], result: { ansible_facts: { [fact]: tree(res.stdout, split) } } };
    const msg = FAILURES[res.code] ?? 'Unexpected failure!';
    if (res.code === 2 && !a.fail_key) return { changes: [], result: { ansible_facts: { [fact]: { [a.key ?? '']: null } }, msg } };
    return { changes: [], failed: msg };
  },
});
