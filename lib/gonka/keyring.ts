import { posix } from 'node:path';
import type { ModuleContext } from '../modules/module.js';
import { shellJoin, shellQuote } from '../transport/shell-quote.js';

/** A `file` keyring and how to run `inferenced` against it on the host that holds it. */
export interface Keyring {
  /** the inferenced home on that host: the keyring is its keyring-file/ */
  home: string;
  /** a shell command running `inferenced ARGS --keyring-backend file` on this keyring */
  command(args: readonly string[]): string;
}

/**
 * The server's keyring: the deploy directory's `.inference`, which node and api mount at /root/.inference.
 * The compose files do not exist yet (config renders them after this role), so the api image is run directly.
 */
export const serverKeyring = (deployDir: string, apiImage: string): Keyring => {
  const home = posix.join(deployDir, '.inference');
  return {
    home,
    command: (args) =>
      `mkdir -p -m 0700 ${shellQuote(home)} && docker ${shellJoin(['run', '--rm', '-i', '-v', `${home}:/root/.inference`, apiImage, 'inferenced', ...args, '--keyring-backend', 'file'])}`,
  };
};

/** The operator's own keyring on the cold signer: the inferenced binary on its PATH, with an explicit home. */
export const localKeyring = (home: string): Keyring => ({
  home,
  command: (args) => `inferenced ${shellJoin([...args, '--keyring-backend', 'file', '--home', home])}`,
});

/** inferenced's default home on the host the context runs on (~/.inference). */
export const defaultInferencedHome = async (ctx: ModuleContext): Promise<string> => {
  const res = await ctx.exec('printf %s "$HOME"');
  if (res.code !== 0 || !res.stdout.startsWith('/')) throw new Error(`cannot find the home directory on ${ctx.hostname} (set cold_keyring_dir)`);
  return posix.join(res.stdout, '.inference');
};
