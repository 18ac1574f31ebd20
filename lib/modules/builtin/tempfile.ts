import { z } from 'zod';
import { fileStat } from '../../facts/builtin/file-stat.js';
import { shellJoin } from '../../transport/shell-quote.js';
import { defineModule, type Change } from '../module.js';
import { pathInfo } from '../path-info.js';

const tempfileArgs = z.strictObject({
  state: z.enum(['file', 'directory']).default('file'),
  /** the directory it is made in; the host's temporary directory ($TMPDIR, else /tmp) when absent */
  path: z.string().min(1).optional(),
  prefix: z
    .string()
    .refine((p) => !p.includes('/'), 'prefix must not hold a /')
    .default('ansible.'),
  suffix: z
    .string()
    .refine((s) => !s.includes('/'), 'suffix must not hold a /')
    .default(''),
});

/**
 * Ansible's tempfile: a new file (0600) or directory (0700) with a unique name, made by mktemp on the host; every
 * run makes a new one (changed). Ansible's module does not support check mode.
 */
// the character mktemp replaces with a random one at the end of its template
const MKTEMP_RANDOM = 'X';

export const tempfileModule = defineModule({
  name: 'tempfile',
  args: tempfileArgs,
  noCheckMode: { ansibleName: 'tempfile' },
  plan: async (a) => ({
    changes: [{ summary: `make a temporary ${a.state}`, invalidates: [] } satisfies Change],
    unplannable: 'remote module (tempfile) does not support check mode',
  }),
  apply: async (_changes, a, ctx) => {
    // Python's mkstemp/mkdtemp names: prefix, 8 random characters (mktemp fills in its template's trailing Xs), suffix
    const argv = [
      'mktemp',
      ...(a.state === 'directory' ? ['-d'] : []),
      a.path === undefined ? '--tmpdir' : `--tmpdir=${a.path}`,
      `--suffix=${a.suffix}`,
      `${a.prefix}${MKTEMP_RANDOM.repeat(8)}`,
    ];
    const res = await ctx.exec(shellJoin(argv));
    if (res.code !== 0) return { changed: false, failed: true, msg: res.stderr.trim() || `mktemp failed with rc=${res.code}` };
    const path = res.stdout.trim();
    return { changed: true, path, ...pathInfo(await ctx.facts.read(fileStat, path)) };
  },
});
