import { posix } from 'node:path';
import { composeContainers } from '../../lib/facts/builtin/compose-ps.js';
import { httpGet } from '../../lib/facts/builtin/http.js';
import { composeScript } from '../../lib/gonka/compose-command.js';
import { CONFIG_ENV } from '../../lib/gonka/deploy-files.js';
import type { Deployment } from '../../lib/gonka/deployment.js';
import { affectedServices, removedServices, type Fingerprints } from '../../lib/gonka/service-fingerprints.js';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import type { CodeTask } from '../../lib/roles/role.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { fingerprintFacts, readFingerprints, renderedFingerprints } from './fingerprints.js';
import type { ConfigRoleVars } from './vars.js';

// compose's default project name: the deploy directory's name, lower-cased, without what a project name cannot hold
const projectName = (d: Deployment): string =>
  posix
    .basename(d.deploy_dir)
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '');

// a service gone from its compose file is an orphan compose no longer manages: its containers are removed by label,
// so a dropped service (upstream's single mlnode-308 holding every GPU) never keeps running beside its successors
const removeScript = (d: Deployment, services: string[]): string =>
  services
    .map((s) => {
      const filters = shellJoin(['--filter', `label=com.docker.compose.project=${projectName(d)}`, '--filter', `label=com.docker.compose.service=${s}`]);
      return `ids=$(docker ps -aq ${filters}) && { [ -z "$ids" ] || docker rm -f $ids >/dev/null; }`;
    })
    .join(' &&\n');

/**
 * Recreate the services whose fingerprint differs between `before` and `after` (started when new) and remove the
 * containers of those `after` no longer defines; in check mode, say which.
 */
export const recreateAffected = async (ctx: ModuleContext, d: Deployment, before: Fingerprints, after: Fingerprints): Promise<ModuleResult> => {
  const affected = affectedServices(before, after);
  const removed = Object.values(removedServices(before, after)).flat();
  const plan = [
    ...Object.entries(affected).map(([file, services]) => `${file}: ${services.join(' ')}`),
    ...(removed.length ? [`removed: ${removed.join(' ')}`] : []),
  ];
  if (plan.length === 0) return { changed: false, msg: 'no deployed service is affected', recreated: {} };
  if (ctx.check) return { changed: true, msg: `would recreate ${plan.join('; ')}`, recreated: affected, removed };
  if (removed.length) {
    const res = await ctx.exec(removeScript(d, removed));
    if (res.code !== 0)
      return { changed: true, failed: true, msg: `removing the containers of ${removed.join(', ')} failed (rc=${res.code}): ${res.stderr.trim()}`, removed };
  }
  for (const [file, services] of Object.entries(affected)) {
    // config.env sourced on a network node: the keyring password never reaches argv
    const project = { dir: d.deploy_dir, files: [file], env_file: d.topology.network ? CONFIG_ENV : undefined };
    const res = await ctx.exec(composeScript(project, ['up', '-d', '--no-deps', ...services]));
    if (res.code !== 0)
      return {
        changed: true,
        failed: true,
        msg: `docker compose -f ${posix.basename(file)} up failed (rc=${res.code}): ${res.stderr.trim()}`,
        recreated: affected,
      };
  }
  return { changed: true, msg: `recreated ${plan.join('; ')}`, recreated: affected, removed };
};

/**
 * Recreate only the services whose definition, config.env values or mounted files changed in this run, and remove
 * the containers of services the compose files no longer define.
 */
export const recreateChanged: CodeTask<ConfigRoleVars> = {
  name: 'recreate gonka containers',
  facts: (v) => fingerprintFacts(v.gonka),
  // starting containers changes what compose lists and what their endpoints answer, nothing else
  invalidates: [{ fact: composeContainers }, { fact: httpGet }],
  run: async (ctx, v) => {
    if (!v.gonka) return { changed: false, failed: true, msg: 'the deployment is not computed: the config role computes it first' };
    const d = v.gonka;
    // check mode writes nothing: what the templates would write says which services a run would recreate
    const after = ctx.check ? await renderedFingerprints(ctx, d) : await readFingerprints(ctx, d);
    return recreateAffected(ctx, d, v.gonka_fingerprints_before ?? {}, after);
  },
};
