import { posix } from 'node:path';
import type { Deployment } from './deployment.js';
import type { ModuleContext } from '../modules/module.js';
import type { ExecResult } from '../transport/transport.js';
import { shellJoin } from '../transport/shell-quote.js';
import { composeScript, type ComposeProject } from './compose-command.js';
import { CONFIG_ENV } from './deploy-files.js';

/** The compose project of one deploy file: config.env (the keyring password) is sourced on a network node, never put on argv. */
const projectOf = (d: Deployment, file: string): ComposeProject => ({
  dir: d.deploy_dir,
  files: [file],
  env_file: d.topology.network ? CONFIG_ENV : undefined,
});

/** Run `docker compose -f FILE ARGS` in the deploy directory, with stdin when a command reads a password. */
export const compose = (ctx: ModuleContext, d: Deployment, file: string, args: readonly string[], stdin?: string): Promise<ExecResult> =>
  ctx.exec(composeScript(projectOf(d, file), args), stdin === undefined ? {} : { stdin });

export const composeFileExists = async (ctx: ModuleContext, d: Deployment, file: string): Promise<boolean> =>
  (await ctx.exec(`test -f ${shellJoin([posix.join(d.deploy_dir, file)])}`)).code === 0;

interface PsEntry {
  Service?: string;
  State?: string;
}

// compose prints one JSON object per line (v2.21+) or, before that, one JSON array
const parsePs = (stdout: string): PsEntry[] => {
  const text = stdout.trim();
  if (text.startsWith('[')) return JSON.parse(text) as PsEntry[];
  return text
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as PsEntry);
};

/** Services of a compose file whose container is running; undefined when compose cannot tell (no docker yet). */
export const runningServices = async (ctx: ModuleContext, d: Deployment, file: string): Promise<Set<string> | undefined> => {
  const res = await compose(ctx, d, file, ['ps', '--format', 'json']);
  if (res.code !== 0) return undefined;
  return new Set(
    parsePs(res.stdout)
      .filter((e) => e.State === 'running' && e.Service)
      .map((e) => e.Service!),
  );
};

/** The last lines a service logged (empty when compose cannot read them). */
export const serviceLogs = async (ctx: ModuleContext, d: Deployment, file: string, service: string, lines = 200): Promise<string> => {
  const res = await compose(ctx, d, file, ['logs', '--no-color', '--tail', String(lines), service]);
  return res.code === 0 ? res.stdout : '';
};
