import { packageModule } from '../../lib/modules/builtin/package.js';
import { aptRepositoryTasks } from '../../lib/roles/apt-repository.js';
import { defineRole, roleTasks } from '../../lib/roles/role.js';
import { CONTAINER_TOOLKIT_REPOSITORY, dockerRuntime } from './container-toolkit.js';
import { cudaInDocker } from './cuda-check.js';
import { driverVersions } from './driver-versions.js';
import { fabricManager } from './fabric-manager.js';
import { gpuPresent } from './gpu-present.js';
import { holdDriverTask } from './hold-driver.js';
import { installDriver } from './install-driver.js';
import { rebootTask } from './reboot.js';
import { secureBoot } from './secure-boot.js';
import { NvidiaVarsSchema } from './vars.js';

const task = roleTasks(NvidiaVarsSchema, { package: packageModule });

/**
 * The NVIDIA stack a GPU host needs for Gonka's ML node: the server driver with headers, Fabric Manager on
 * NVSwitch boards, the Container Toolkit wired into Docker, versions that agree and stay agreed (held), and
 * a CUDA container that proves it. Runs after the docker role. Every task declares the facts it reads (the
 * GPU fact above all), so a host already prepared answers the whole role in the play's one batch.
 */
export default defineRole({
  name: 'nvidia',
  vars: NvidiaVarsSchema,
  preconditions: [gpuPresent],
  tasks: [
    secureBoot,
    installDriver,
    ...aptRepositoryTasks(CONTAINER_TOOLKIT_REPOSITORY),
    task.package({ name: 'NVIDIA Container Toolkit' }, { name: ['nvidia-container-toolkit'], update_cache: true }),
    dockerRuntime,
    holdDriverTask('Driver packages held against unattended upgrades'),
    rebootTask,
    fabricManager,
    holdDriverTask('Fabric Manager held with the driver'),
    driverVersions,
    cudaInDocker,
  ],
});
