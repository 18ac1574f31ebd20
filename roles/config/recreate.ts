import { posix } from 'node:path';
import type { Deployment } from '../../lib/gonka/deployment.js';
import { affectedServices, type Fingerprints } from '../../lib/gonka/service-fingerprints.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import { CONFIG_ENV } from '../../lib/gonka/deploy-files.js';
import { readFingerprints } from './fingerprints.js';

// the compose files interpolate config.env; it is sourced by the shell so the password never reaches argv
const composeScript = (d: Deployment, file: string, services: string[]): string =>
  [
    `cd ${shellJoin([d.deploy_dir])}`,
    ...(d.topology.network ? [`set -a`, `. ./${CONFIG_ENV}`, `set +a`] : []),
    `docker compose ${shellJoin(['-f', file, 'up', '-d', '--no-deps', ...services])}`,
  ].join('\n');

/** Recreate only the services whose definition, config.env values or mounted files changed in this run. */
export const recreateChanged = async (ctx: ModuleContext): Promise<ModuleResult> => {
  const d = ctx.vars.gonka as Deployment;
  const before = (ctx.vars.gonka_fingerprints_before ?? {}) as Fingerprints;
  const affected = affectedServices(before, await readFingerprints(ctx, d));
  const plan = Object.entries(affected).map(([file, services]) => `${file}: ${services.join(' ')}`);
  if (plan.length === 0) return { changed: false, msg: 'no deployed service is affected', recreated: {} };
  if (ctx.check) return { changed: true, msg: `would recreate ${plan.join('; ')}`, recreated: affected };
  for (const [file, services] of Object.entries(affected)) {
    const res = await ctx.exec(composeScript(d, file, services));
    if (res.code !== 0)
      return {
        changed: true,
        failed: true,
        msg: `docker compose -f ${posix.basename(file)} up failed (rc=${res.code}): ${res.stderr.trim()}`,
        recreated: affected,
      };
  }
  return { changed: true, msg: `recreated ${plan.join('; ')}`, recreated: affected };
};
