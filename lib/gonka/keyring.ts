import { posix } from 'node:path';
import type { ModuleContext } from '../modules/module.js';
import { shellJoin, shellQuote } from '../transport/shell-quote.js';

/**
 * A `file` keyring on the host that holds it: plain data, so a fact can take it as its argument. With an image it
 * is the server's keyring, used through the api image; without, the operator's own, through the inferenced on its PATH.
 */
export interface Keyring {
  /** the inferenced home on that host: the keyring is its keyring-file/ */
  home: string;
  /** the api image that runs inferenced on the server */
  image?: string;
}

/**
 * The server's keyring: the deploy directory's `.inference`, which node and api mount at /root/.inference.
 * The compose files do not exist yet (config renders them after this role), so the api image is run directly.
 */
export const serverKeyring = (deployDir: string, apiImage: string): Keyring => ({ home: posix.join(deployDir, '.inference'), image: apiImage });

/** The operator's own keyring on the cold signer: the inferenced binary on its PATH, with an explicit home. */
export const localKeyring = (home: string): Keyring => ({ home });

/** A shell command running `inferenced ARGS --keyring-backend file` on the keyring, on the host that holds it. */
export const keyringCommand = (kr: Keyring, args: readonly string[]): string =>
  kr.image
    ? `mkdir -p -m 0700 ${shellQuote(kr.home)} && docker ${shellJoin(['run', '--rm', '-i', '-v', `${kr.home}:/root/.inference`, kr.image, 'inferenced', ...args, '--keyring-backend', 'file'])}`
    : `inferenced ${shellJoin([...args, '--keyring-backend', 'file', '--home', kr.home])}`;

/** inferenced's default home on the host the context runs on (~/.inference). */
export const defaultInferencedHome = async (ctx: ModuleContext): Promise<string> => {
  const res = await ctx.exec('printf %s "$HOME"');
  if (res.code !== 0 || !res.stdout.startsWith('/')) throw new Error(`cannot find the home directory on ${ctx.hostname} (set cold_keyring_dir)`);
  return posix.join(res.stdout, '.inference');
};
