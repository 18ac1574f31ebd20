import { systemdUnit } from '../../lib/facts/builtin/systemd-unit.js';
import { request } from '../../lib/facts/fact.js';
import { serviceModule } from '../../lib/modules/builtin/service.js';
import type { CodeTask } from '../../lib/roles/role.js';
import { dockerMissing } from './install.js';
import type { DockerVars } from './vars.js';

/**
 * The service module on docker.service, except in check mode on a host without Docker yet: the unit the package
 * task would install is then planned as "would be started" instead of failing as not found.
 */
export const dockerService: CodeTask<DockerVars> = {
  name: 'Docker enabled and running',
  facts: () => [request(systemdUnit, 'docker')],
  invalidates: [{ fact: systemdUnit }],
  run: async (ctx, v) => {
    if (ctx.check && dockerMissing(v)) return { changed: true, msg: 'would enable and start docker once installed' };
    return ctx.call(serviceModule, { name: 'docker', state: 'started', enabled: true });
  },
};
