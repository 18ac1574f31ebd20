import { z } from 'zod';
import { tempName } from '../transport/atomic-write.js';
import { shellJoin } from '../transport/shell-quote.js';
import type { PutOptions } from '../transport/transport.js';
import type { ContentSource } from './content-source.js';
import { execChecked } from './exec-checked.js';
import type { ModuleContext } from './module.js';
import { shellSplit } from './shell-split.js';

/** Ansible's `validate`: a command run on the new content before it replaces the file, `%s` its path. */
export const validateArg = z
  .string()
  .min(1)
  .refine((s) => s.includes('%s'), 'validate must contain %s');

/** The validation command refused the content: the file was left as it was. */
export class ValidationError extends Error {
  constructor(
    readonly rc: number,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`failed to validate: rc:${rc} error:${stderr}`);
    this.name = 'ValidationError';
  }
}

/**
 * Write the content beside the destination under a temp name of nop's pattern (swept if a run dies here), with
 * its final mode and owner, and run the validation command on it (as argv, as Ansible runs it: no shell). A
 * refused content is removed and the destination untouched; an accepted one is returned staged, for `install`.
 */
export const stageValidated = async (ctx: ModuleContext, dest: string, source: ContentSource, put: PutOptions, validate: string): Promise<StagedFile> => {
  const tmp = tempName(dest);
  await source.write(ctx, tmp, put);
  const argv = shellSplit(validate).map((word) => word.replaceAll('%s', tmp));
  const res = await ctx.exec(shellJoin(argv));
  if (res.code !== 0) {
    await ctx.exec(`rm -f -- ${shellJoin([tmp])}`);
    throw new ValidationError(res.code, res.stdout, res.stderr);
  }
  return { install: async () => void (await execChecked(ctx, `mv -fT -- ${shellJoin([tmp, dest])}`)) };
};

export interface StagedFile {
  /** rename the validated content over the destination */
  install(): Promise<void>;
}
