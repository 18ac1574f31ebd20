import { dockerComposeVersion } from '../../lib/facts/builtin/docker-compose-version.js';
import { request } from '../../lib/facts/fact.js';
import type { CodeTask } from '../../lib/roles/role.js';
import { dockerMissing } from './install.js';
import type { DockerVars } from './vars.js';

/** `docker compose` is how nop runs Gonka: an existing Docker without the plugin needs it added. */
export const composeCheck: CodeTask<DockerVars> = {
  name: 'Docker compose available',
  facts: () => [request(dockerComposeVersion, undefined)],
  invalidates: [],
  run: async (ctx, v) => {
    if (ctx.check && dockerMissing(v)) return { changed: false, skipped: true, msg: 'Docker not installed yet (check mode)' };
    const compose = await ctx.facts.read(dockerComposeVersion, undefined);
    if (compose.available) return { changed: false, msg: compose.output };
    return {
      changed: false,
      failed: true,
      msg: `docker compose is not available (${compose.output}): install the compose plugin (apt-get install docker-compose-plugin from Docker's repository, or docker-compose-v2 with Ubuntu's docker.io)`,
    };
  },
};
