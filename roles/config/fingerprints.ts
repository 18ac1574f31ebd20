import { posix } from 'node:path';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import type { Deployment } from '../../lib/gonka/deployment.js';
import { parseEnvFile, serviceFingerprints, type Fingerprints } from '../../lib/gonka/service-fingerprints.js';
import type { ModuleContext } from '../../lib/modules/module.js';
import { CONFIG_ENV, composeFilesOf, mountedFilesOf } from '../../lib/gonka/deploy-files.js';

// read directly, not through the cached file facts: the handler must see what the templates just wrote
const readIfExists = async (ctx: ModuleContext, path: string): Promise<string | undefined> => {
  const probe = await ctx.exec(`test -f ${shellJoin([path])}`);
  if (probe.code !== 0) return undefined;
  return (await ctx.transport.get(path, { become: ctx.become })).toString('utf8');
};

/** Fingerprints of the services defined by the compose files now in the deploy directory (absent files are left out). */
export const readFingerprints = async (ctx: ModuleContext, d: Deployment): Promise<Fingerprints> => {
  const at = (name: string) => posix.join(d.deploy_dir, name);
  const env = parseEnvFile((await readIfExists(ctx, at(CONFIG_ENV))) ?? '');
  const files: Record<string, string> = {};
  for (const name of mountedFilesOf(d)) {
    const text = await readIfExists(ctx, at(name));
    if (text !== undefined) files[name] = text;
  }
  const out: Fingerprints = {};
  for (const name of composeFilesOf(d)) {
    const compose = await readIfExists(ctx, at(name));
    if (compose !== undefined) out[name] = serviceFingerprints(compose, env, files);
  }
  return out;
};
