import { posix } from 'node:path';
import { copyModule } from '../../lib/modules/builtin/copy.js';
import { fileModule } from '../../lib/modules/builtin/file.js';
import { roleTasks, defineRole } from '../../lib/roles/role.js';
import { applyFirewall, RULES_SCRIPT, RULES_UNIT, rulesScript, rulesUnit } from './firewall.js';
import { ensureService } from './ensure-service.js';
import { checkCompose, installDocker } from './install.js';
import { DockerVarsSchema } from './vars.js';

const task = roleTasks(DockerVarsSchema, { file: fileModule, copy: copyModule });

/** Docker CE with compose, running, and internal Gonka ports unreachable from outside even when published. */
export default defineRole({
  name: 'docker',
  vars: DockerVarsSchema,
  tasks: [
    { name: 'Docker CE and the compose plugin', run: installDocker },
    { name: 'Docker enabled and running', run: (ctx) => ensureService(ctx, { name: 'docker', state: 'started', enabled: true }) },
    { name: 'Docker compose available', run: checkCompose },
    task.file({ name: 'Directory of the DOCKER-USER rules script' }, { path: posix.dirname(RULES_SCRIPT), state: 'directory' }),
    task.copy({ name: 'DOCKER-USER rules script' }, (v) => ({ dest: RULES_SCRIPT, content: rulesScript(v), mode: '0755' })),
    task.copy({ name: 'DOCKER-USER rules unit (applied at boot)', register: 'nop_docker_user_unit' }, { dest: RULES_UNIT, content: rulesUnit, mode: '0644' }),
    {
      name: 'DOCKER-USER rules unit enabled',
      run: (ctx) =>
        ensureService(ctx, {
          name: 'nop-docker-user',
          enabled: true,
          daemon_reload: (ctx.vars.nop_docker_user_unit as { changed?: boolean } | undefined)?.changed === true,
        }),
    },
    { name: 'Internal ports closed to outside sources', run: applyFirewall },
  ],
});
