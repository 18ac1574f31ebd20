import { posix } from 'node:path';
import { composeContainers } from '../../lib/facts/builtin/compose-ps.js';
import { httpGet } from '../../lib/facts/builtin/http.js';
import { composeScript } from '../../lib/gonka/compose-command.js';
import { CONFIG_ENV } from '../../lib/gonka/deploy-files.js';
import { affectedServices } from '../../lib/gonka/service-fingerprints.js';
import type { CodeTask } from '../../lib/roles/role.js';
import { fingerprintFacts, readFingerprints } from './fingerprints.js';
import type { ConfigRoleVars } from './vars.js';

/** Recreate only the services whose definition, config.env values or mounted files changed in this run. */
export const recreateChanged: CodeTask<ConfigRoleVars> = {
  name: 'recreate gonka containers',
  facts: (v) => fingerprintFacts(v.gonka),
  // starting containers changes what compose lists and what their endpoints answer, nothing else
  invalidates: [{ fact: composeContainers }, { fact: httpGet }],
  run: async (ctx, v) => {
    if (!v.gonka) return { changed: false, failed: true, msg: 'the deployment is not computed: the config role computes it first' };
    const d = v.gonka;
    const affected = affectedServices(v.gonka_fingerprints_before ?? {}, await readFingerprints(ctx, d));
    const plan = Object.entries(affected).map(([file, services]) => `${file}: ${services.join(' ')}`);
    if (plan.length === 0) return { changed: false, msg: 'no deployed service is affected', recreated: {} };
    if (ctx.check) return { changed: true, msg: `would recreate ${plan.join('; ')}`, recreated: affected };
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
    return { changed: true, msg: `recreated ${plan.join('; ')}`, recreated: affected };
  },
};
