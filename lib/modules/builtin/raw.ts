import { z } from 'zod';
import { shellJoin } from '../../transport/shell-quote.js';
import { defineModule, type Change } from '../module.js';

const rawArgs = z.strictObject({
  cmd: z.string().min(1),
  /** the shell that runs it (the connection's /bin/sh when absent) */
  executable: z.string().min(1).optional(),
});

interface RawChange extends Change {
  script: string;
}

const lines = (s: string) => (s === '' ? [] : s.replace(/\r?\n$/, '').split(/\r?\n/));

/**
 * Ansible's raw: the command line handed to the host's shell as it is, its output kept whole; always changed;
 * skipped in check mode (Ansible's says nothing more).
 */
export const rawModule = defineModule({
  name: 'raw',
  args: rawArgs,
  freeForm: 'cmd',
  plan: async (a) => ({
    changes: [{ summary: `run ${a.cmd}`, script: a.executable === undefined ? a.cmd : `exec ${shellJoin([a.executable, '-c', a.cmd])}` } satisfies RawChange],
    unplannable: '',
  }),
  apply: async ([change], _a, ctx) => {
    const res = await ctx.exec(change.script);
    return {
      changed: true,
      rc: res.code,
      stdout: res.stdout,
      stdout_lines: lines(res.stdout),
      stderr: res.stderr,
      stderr_lines: lines(res.stderr),
      ...(res.code !== 0 ? { failed: true, msg: 'non-zero return code' } : {}),
    };
  },
});
