import { posix } from 'node:path';
import { copyModule } from '../../lib/modules/builtin/copy.js';
import { fileModule } from '../../lib/modules/builtin/file.js';
import { packageModule } from '../../lib/modules/builtin/package.js';
import { serviceModule } from '../../lib/modules/builtin/service.js';
import { aptRepositoryTasks } from '../../lib/roles/apt-repository.js';
import { defineRole, roleTasks } from '../../lib/roles/role.js';
import { composeCheck } from './compose-check.js';
import { dockerService } from './docker-service.js';
import { firewallRules, RULES_SCRIPT, RULES_UNIT, rulesScript, rulesUnit } from './firewall.js';
import { DOCKER_PACKAGES, DOCKER_REPOSITORY, dockerMissing, installedDocker } from './install.js';
import { DockerVarsSchema } from './vars.js';

const task = roleTasks(DockerVarsSchema, { file: fileModule, copy: copyModule, package: packageModule, service: serviceModule });

/** Docker CE with compose, running, and internal Gonka ports unreachable from outside even when published. */
export default defineRole({
  name: 'docker',
  vars: DockerVarsSchema,
  tasks: [
    installedDocker,
    ...aptRepositoryTasks(DOCKER_REPOSITORY, { when: dockerMissing }),
    task.package({ name: 'Docker CE and the compose plugin', when: dockerMissing }, { name: DOCKER_PACKAGES, update_cache: true }),
    dockerService,
    composeCheck,
    task.file({ name: 'Directory of the DOCKER-USER rules script' }, { path: posix.dirname(RULES_SCRIPT), state: 'directory' }),
    task.copy({ name: 'DOCKER-USER rules script' }, (v) => ({ dest: RULES_SCRIPT, content: rulesScript(v), mode: '0755' })),
    task.copy({ name: 'DOCKER-USER rules unit (applied at boot)', register: 'nop_docker_user_unit' }, { dest: RULES_UNIT, content: rulesUnit, mode: '0644' }),
    task.service({ name: 'DOCKER-USER rules unit enabled' }, (v) => ({
      name: 'nop-docker-user',
      enabled: true,
      daemon_reload: v.nop_docker_user_unit?.changed === true,
    })),
    firewallRules,
  ],
});
