import { z } from 'zod';
import { shellJoin } from '../../transport/shell-quote.js';
import { defineModule } from '../module.js';
import { shellSplit } from '../shell-split.js';
import { applyCommand, commandCommonArgs, commandFacts, planCommand } from './run-command.js';

const commandArgs = z
  .strictObject({
    /** split into words like a shell would, but run without one: no pipes, redirections or variables */
    cmd: z.string().min(1).optional(),
    argv: z.array(z.string()).min(1).optional(),
    ...commandCommonArgs,
  })
  .refine((a) => (a.cmd === undefined) !== (a.argv === undefined), 'exactly one of cmd (or the free-form command) and argv is required');

export const commandModule = defineModule({
  name: 'command',
  args: commandArgs,
  freeForm: 'cmd',
  facts: commandFacts,
  plan: (args, ctx) => {
    const argv = args.argv ?? shellSplit(args.cmd ?? '');
    // `exec` so the command is the process, not a child of the wrapping shell
    return planCommand(ctx, args, `exec ${shellJoin(argv)}`, argv);
  },
  apply: ([change], args, ctx) => applyCommand(ctx, args, change),
});
