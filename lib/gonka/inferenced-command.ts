import { z } from 'zod';
import { shellJoin } from '../transport/shell-quote.js';
import { composeScript } from './compose-command.js';
import { projectArgs, projectOf } from './modules/project-args.js';

/**
 * Where `inferenced` runs with the keyring a command needs: inside a compose service of the deploy directory (the
 * api container, which mounts the server's keyring), or as a binary with an explicit home (the operator's cold
 * signer).
 */
export const InferencedSchema = z.union([
  /** an absolute path, or ~/… in the home directory of the user the command runs as (inferenced's default is ~/.inference) */
  z.strictObject({ home: z.string().regex(/^(\/|~\/)/, 'must be an absolute path or ~/…') }),
  z.strictObject({ ...projectArgs, service: z.string().min(1) }),
]);
export type Inferenced = z.output<typeof InferencedSchema>;

const homeArg = (home: string): string => (home.startsWith('~/') ? `"$HOME"/${shellJoin([home.slice(2)])}` : shellJoin([home]));

/** The shell command running `inferenced ARGS` where the keyring lives. */
export const inferencedScript = (where: Inferenced, args: readonly string[]): string =>
  'home' in where
    ? `inferenced ${shellJoin([...args, '--home'])} ${homeArg(where.home)}`
    : composeScript(projectOf(where), ['exec', '-T', where.service, 'inferenced', ...args]);
