import { z } from 'zod';
import { shellJoin } from '../../transport/shell-quote.js';
import { defineModule } from '../module.js';
import { applyCommand, commandCommonArgs, commandFacts, planCommand } from './run-command.js';

const shellArgs = z.strictObject({
  cmd: z.string().min(1),
  /** another shell than /bin/sh, e.g. /bin/bash for pipefail */
  executable: z.string().min(1).optional(),
  ...commandCommonArgs,
});

export const shellModule = defineModule({
  name: 'shell',
  args: shellArgs,
  freeForm: 'cmd',
  facts: commandFacts,
  plan: (args, ctx) => {
    const script = args.executable === undefined ? args.cmd : `exec ${shellJoin([args.executable, '-c', args.cmd])}`;
    return planCommand(ctx, args, script, args.cmd);
  },
  apply: ([change], args, ctx) => applyCommand(ctx, args, change),
});
